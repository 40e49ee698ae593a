package edu.niu.igait.failure;

/** A job or ticket whose files are missing or inconsistent: retrying cannot help, so it fails at once. */
public final class MalformedJob extends RuntimeException {

    public MalformedJob(String message) {
        super(message);
    }
}
