package edu.niu.igait.pipeline;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.metis.MetisSsh;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage that failed for good (permanent error, or out of retries): the job gets status
 * {@code SubmissionErr} with a plain reason, job.json notes it, and the operator gets an alert. The
 * file consumer then moves the ticket to {@code data/failed/<stage>/}.
 */
public class StageFailures {

    private static final Logger LOG = LoggerFactory.getLogger("igait.pipeline");

    private final Pipeline pipeline;
    private final MetisSsh.HostKeyRejections hostKeys;

    public StageFailures(Pipeline pipeline) {
        this(pipeline, null);
    }

    /** @param hostKeys the host keys the Metis client refused, to name one that made stage 3 fail */
    public StageFailures(Pipeline pipeline, MetisSsh.HostKeyRejections hostKeys) {
        this.pipeline = pipeline;
        this.hostKeys = hostKeys;
    }

    public void failed(Exchange exchange) {
        Throwable error = RetryPolicy.error(exchange);
        String sid = exchange.getProperty(Pipeline.SID, String.class);
        String stage = exchange.getProperty(Pipeline.STAGE, String.class);
        if (stage == null) {
            stage = exchange.getFromRouteId();
        }
        String reason = refusedHostKey(exchange, stage)
                .map(key -> "Metis presented a host key that igait.metis.known-hosts does not trust (" + key + ")")
                .orElse(Failures.reason(stage, error));
        boolean permanent = error != null && Failures.isPermanent(error);
        String value = permanent ? "Submission failed: " + reason + "." : "Submission failed: " + reason + ", gave up retrying.";
        Job job = null;
        if (sid != null) {
            String finalStage = stage;
            try {
                job = pipeline.jobs().update(sid, j -> {
                    j.stage = "failed/" + finalStage;
                    j.failureReason = reason;
                });
            } catch (RuntimeException e) {
                LOG.error("submission {}: cannot note the failure in job.json: {}", sid, Failures.summary(e));
            }
        }
        LOG.error("job {} for uid {}: {} failed for good: {} ({})", job == null || job.jobId == null ? "-" : job.jobId,
                job == null ? "-" : job.uid, stage, reason, error == null ? "" : Failures.summary(error));
        if (job != null) {
            try {
                if (job.jobId != null) {
                    pipeline.setStatus(job, StatusCode.SubmissionErr, value);
                } else {
                    pipeline.jobs().update(sid, j -> j.setStatus(StatusCode.SubmissionErr, value, Instant.now()));
                }
            } catch (RuntimeException e) {
                LOG.error("submission {}: status SubmissionErr not recorded in the store: {}", sid, Failures.summary(e));
            }
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("subject", "iGait: a submission failed in stage " + stage);
        alert.put("stage", stage);
        alert.put("submissionId", sid);
        alert.put("uid", job == null ? null : job.uid);
        alert.put("jobId", job == null ? null : job.jobId);
        alert.put("reason", reason);
        alert.put("error", error == null ? null : Failures.summary(error));
        sendAlert(exchange, alert);
    }

    /** camel-ssh reports a refused host key as "Failed to authenticate": ask the client what it refused. */
    private Optional<String> refusedHostKey(Exchange exchange, String stage) {
        if (!"3-submit".equals(stage) || hostKeys == null) {
            return Optional.empty();
        }
        Long started = exchange.getProperty("startedNanos", Long.class);
        return hostKeys.since(started == null ? System.nanoTime() - 60_000_000_000L : started);
    }

    static void sendAlert(Exchange exchange, Map<String, Object> alert) {
        try {
            ProducerTemplate template = exchange.getContext().createProducerTemplate();
            try {
                template.sendBody("direct:operator-alert", alert);
            } finally {
                template.stop();
            }
        } catch (Exception e) {
            LOG.error("operator alert not sent: {}", Failures.summary(e));
        }
    }
}
