package edu.niu.igait.job;

/** A job whose files are missing or inconsistent: retrying cannot help, so it fails at once. */
public class MalformedJobException extends RuntimeException {

    public MalformedJobException(String message) {
        super(message);
    }
}
