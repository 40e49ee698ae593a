package edu.niu.igait.pipeline;

import java.time.Instant;

/**
 * Where a stage keeps its failures when there is no job.json to keep them in (stage 5: a completion
 * may arrive for a job whose data folder is gone, so the ticket itself carries them). A stage puts
 * one on the exchange as {@link #PROPERTY}; {@link RetryPolicy} and {@link StageFailures} use it
 * instead of job.json, and change no status while it retries.
 */
public interface RetryState {

    String PROPERTY = "retryState";

    /** Since when the stage has been failing, kept across restarts; null if it has not failed yet. */
    Instant failingSince(String stage);

    /** Notes one more failed attempt; returns how many there have been. */
    int noteAttempt(String stage, String error);

    /** Forgets the failures: a ticket moved back from failed/ by an operator starts afresh. */
    void clear();
}
