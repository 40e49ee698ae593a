package edu.niu.igait.failure;

/**
 * A peer refused the request for a reason that retrying cannot change: access denied, a host key or
 * login refused, a bucket that does not exist, a recipient the mail server will never take. The
 * client that talks to the peer throws it where it catches the peer's own error; the stages' error
 * policy ({@code routes/errors.yaml}) fails the job at once. The message is the reason the app and
 * the operator see: plain words, no secrets, no medical data.
 */
public final class PeerRefused extends RuntimeException {

    private final String peer;

    public PeerRefused(String peer, String reason, Throwable cause) {
        super(reason, cause);
        this.peer = peer;
    }

    /** The peer that refused: Firebase, S3, Metis or mail. */
    public String peer() {
        return peer;
    }
}
