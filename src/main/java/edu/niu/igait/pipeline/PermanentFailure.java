package edu.niu.igait.pipeline;

/** A failure that retrying cannot fix (refused login, untrusted host key, access denied, bad data). */
public class PermanentFailure extends RuntimeException {

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
