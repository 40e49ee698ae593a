package edu.niu.igait.completion;

/**
 * A result Metis reported for one job, as checked by {@link CompletionValidator}.
 *
 * @param uid           the Firebase uid ({@code user_id})
 * @param jobId         the job's index under the uid ({@code job_id})
 * @param statusCode    {@code OK} or {@code ERR}
 * @param statusContent the score, or the error text; at most {@link CompletionValidator#MAX_CONTENT_BYTES}
 */
public record CompletionRequest(String uid, int jobId, String statusCode, String statusContent) {

    public static final String OK = "OK";
    public static final String ERR = "ERR";

    public boolean ok() {
        return OK.equals(statusCode);
    }
}
