package edu.niu.igait.store;

/** The job store did not answer in time or refused for a reason that may pass: worth retrying. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
