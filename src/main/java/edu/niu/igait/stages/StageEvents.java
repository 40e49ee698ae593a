package edu.niu.igait.stages;

import java.time.Duration;

import edu.niu.igait.job.Ticket;

/**
 * What the stages report as they work, for whoever watches them (the metrics and the peers' health
 * checks; wired in edu.niu.igait.app): a stage's steps succeeded, were retried because a peer failed,
 * or failed for good.
 */
public interface StageEvents {

    /** Nobody watches. */
    StageEvents NONE = new StageEvents() {
    };

    /** The stage's steps succeeded; {@code attempt} is how long the successful attempt took. */
    default void passed(Ticket ticket, Duration attempt) {
    }

    /** The stage's steps failed and are about to run again; {@code peer} is the peer that failed. */
    default void retried(Ticket ticket, String peer, Throwable error) {
    }

    /**
     * The stage failed for good (a refusal, a malformed job, a mistake in a route, or out of retries);
     * {@code routeError} when routes/errors.yaml found a mistake in a route.
     */
    default void failed(Ticket ticket, String stage, String peer, Throwable error, boolean routeError) {
    }
}
