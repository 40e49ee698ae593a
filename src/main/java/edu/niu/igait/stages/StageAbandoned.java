package edu.niu.igait.stages;

/**
 * The service is stopping: a stage starts no new work, and its ticket stays where it is for the next
 * start. Never retried, never a failure of the job (routes/errors.yaml).
 */
public final class StageAbandoned extends RuntimeException {

    public StageAbandoned(String stage) {
        super("the service is stopping: stage " + stage + " takes the ticket up again at the next start", null, false, false);
    }
}
