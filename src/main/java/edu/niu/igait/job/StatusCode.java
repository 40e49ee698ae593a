package edu.niu.igait.job;

/** The status codes the iGait app understands, spelled as the app reads them. */
public enum StatusCode {
    Submitting, SubmissionErr, Queue, Processing, InferenceErr, Complete;

    /** A result from Metis: once a job shows one, no stage that retries or gives up afterwards replaces it. */
    public boolean isFinal() {
        return this == Complete || this == InferenceErr;
    }

    /** The code of a stored status, or null when it is missing or not one of these. */
    public static StatusCode parse(Object code) {
        if (code == null) {
            return null;
        }
        for (StatusCode c : values()) {
            if (c.name().equals(code.toString())) {
                return c;
            }
        }
        return null;
    }
}
