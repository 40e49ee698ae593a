package edu.niu.igait.pipeline;

import java.time.Duration;
import java.time.Instant;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for the stages' error handler, whether a failed stage is tried again: transient errors
 * until {@code igait.retry.give-up-after} has passed since the first failure (kept in job.json, so a
 * restart does not reset it); permanent errors never. Before each new attempt it tells the app what
 * is being retried ({@code S3 unavailable, retrying}).
 */
public class RetryPolicy implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("igait.pipeline");

    private final Pipeline pipeline;
    private final Duration giveUpAfter;

    public RetryPolicy(Pipeline pipeline, Duration giveUpAfter) {
        this.pipeline = pipeline;
        this.giveUpAfter = giveUpAfter;
    }

    /** The {@code retryWhile} predicate. */
    public boolean shouldRetry(Exchange exchange) {
        Throwable error = error(exchange);
        String sid = exchange.getProperty(Pipeline.SID, String.class);
        String stage = exchange.getProperty(Pipeline.STAGE, String.class);
        if (error == null || Failures.isPermanent(error)) {
            return false;
        }
        RetryState state = exchange.getProperty(RetryState.PROPERTY, RetryState.class);
        if (state != null) {
            Instant since = state.failingSince(stage);
            return since == null || Duration.between(since, Instant.now()).compareTo(giveUpAfter) < 0;
        }
        if (sid == null) {
            return false;
        }
        Job job = pipeline.jobs().find(sid).orElse(null);
        if (job == null) {
            return false;
        }
        Instant since = job.retry != null && stage.equals(job.retry.stage) ? job.retry.since : Instant.now();
        return Duration.between(since, Instant.now()).compareTo(giveUpAfter) < 0;
    }

    /** The {@code onRedelivery} processor: notes the attempt and shows it to the app, best effort. */
    @Override
    public void process(Exchange exchange) {
        Throwable error = error(exchange);
        String sid = exchange.getProperty(Pipeline.SID, String.class);
        String stage = exchange.getProperty(Pipeline.STAGE, String.class);
        RetryState state = exchange.getProperty(RetryState.PROPERTY, RetryState.class);
        if (state != null) {
            // No status change while it retries: the job may already show its final status.
            String summary = error == null ? "unknown error" : Failures.summary(error);
            int attempts;
            try {
                attempts = state.noteAttempt(stage, summary);
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot note the retry: {}", stage, Failures.summary(e));
                return;
            }
            Object jobId = exchange.getProperty("jobId");
            LOG.warn("job {} for uid {}: {} failed ({}, {}), retry {}", jobId == null ? "-" : jobId,
                    exchange.getProperty("uid", "-", String.class), stage, Failures.reason(stage, error), summary, attempts);
            return;
        }
        if (sid == null) {
            return;
        }
        String peer = Failures.peer(stage);
        Job job;
        try {
            job = pipeline.jobs().update(sid, j -> {
                if (j.retry == null || !stage.equals(j.retry.stage)) {
                    j.retry = new Job.Retry();
                    j.retry.stage = stage;
                    j.retry.since = Instant.now();
                }
                j.retry.attempts++;
                j.retry.lastError = error == null ? null : Failures.summary(error);
            });
        } catch (RuntimeException e) {
            LOG.warn("submission {}: cannot note the retry in job.json: {}", sid, Failures.summary(e));
            return;
        }
        LOG.warn(edu.niu.igait.logging.Subsystem.forStage(stage), "job {} for uid {}: {} failed ({}), retry {}", job.jobId == null ? "-" : job.jobId, job.uid, stage,
                error == null ? "unknown error" : Failures.summary(error), job.retry.attempts);
        if (job.jobId != null && (job.status == null || job.retry.attempts == 1
                || !job.status.value.startsWith(peer + " unavailable"))) {
            try {
                StatusCode code = job.status == null ? StatusCode.Submitting : job.status.code;
                pipeline.setStatus(job, code, peer + " unavailable, retrying");
            } catch (RuntimeException e) {
                // The store may be the peer that is down; the job still retries.
                LOG.debug("submission {}: status not updated while retrying: {}", sid, Failures.summary(e));
            }
        }
    }

    static Throwable error(Exchange exchange) {
        Throwable error = exchange.getException();
        if (error == null) {
            error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        return error;
    }
}
