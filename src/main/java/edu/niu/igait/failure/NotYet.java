package edu.niu.igait.failure;

/**
 * What a stage must wait for has not happened yet, and no peer is to blame (a withdrawal whose
 * contribution is still being stored). Retried with the stage's back-off like an outage, but counted
 * against no peer: its health and its metrics are left alone.
 */
public final class NotYet extends RuntimeException {

    public NotYet(String message) {
        super(message, null, false, false);
    }

    /** Whether the chain holds a {@link NotYet}. */
    public static boolean in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NotYet) {
                return true;
            }
        }
        return false;
    }
}
