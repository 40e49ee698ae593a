package edu.niu.igait.failure;

/**
 * A peer could not be reached or did not answer in time, or answered with an error that may pass
 * (a 5xx, a dropped session, a full queue). Retried with back-off until {@code igait.retry.give-up-after}.
 * Thrown by the peer clients so that logs and metrics can name the peer that failed.
 */
public final class PeerUnavailable extends RuntimeException {

    private final String peer;

    public PeerUnavailable(String peer, String message, Throwable cause) {
        super(message, cause);
        this.peer = peer;
    }

    /** The peer that failed: Firebase, S3, Metis or mail. */
    public String peer() {
        return peer;
    }
}
