package edu.niu.igait.http;

/**
 * The client went away (its connection closed, reset or timed out) before its request was read whole:
 * nobody is left to answer. Not a failure of the service: an INFO line and {@code reason="client_gone"}
 * in the metrics, never a 500.
 */
public final class ClientGone extends RuntimeException {

    public ClientGone(String what, Throwable cause) {
        super(what, cause, false, false);
    }

    /** Whether {@code t}, or one of its causes, is a client that went away. */
    public static boolean in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClientGone) {
                return true;
            }
        }
        return false;
    }
}
