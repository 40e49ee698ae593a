package edu.niu.igait.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.metis.MetisSsh;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage that failed for good (permanent error, or out of retries): the job gets status
 * {@code SubmissionErr} with a plain reason, job.json notes it, the operator gets an alert, and the
 * ticket moves to {@code data/failed/<stage>/}. The stages have no {@code moveFailed}: the file
 * consumer also rolls back an exchange whose retries a shutdown cut short, and that job must stay
 * in its stage to resume at the next start. A stage with a {@link RetryState} (stage 5, whose job
 * may already show its final status) changes no status: the operator gets the alert, and the ticket
 * forgets its failures so that moving it back retries afresh.
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
        Object jobId = job == null ? exchange.getProperty("jobId") : job.jobId;
        Object uid = job == null ? exchange.getProperty("uid") : job.uid;
        LOG.error(edu.niu.igait.logging.Subsystem.forStage(stage), "job {} for uid {}: {} failed for good: {} ({})", jobId == null ? "-" : jobId, uid == null ? "-" : uid, stage, reason, error == null ? "" : Failures.summary(error));
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
        RetryState state = exchange.getProperty(RetryState.PROPERTY, RetryState.class);
        if (state != null) {
            try {
                state.clear();
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot clear the retry state: {}", stage, Failures.summary(e));
            }
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("subject", sid == null && state != null
                ? "iGait: a result from Metis could not be applied (stage " + stage + ")"
                : "iGait: a submission failed in stage " + stage);
        alert.put("stage", stage);
        alert.put("submissionId", sid);
        alert.put("uid", job == null ? exchange.getProperty("uid") : job.uid);
        alert.put("jobId", job == null ? exchange.getProperty("jobId") : job.jobId);
        alert.put("reason", reason);
        alert.put("error", error == null ? null : Failures.summary(error));
        sendAlert(exchange, alert);
        moveTicket(exchange, stage, sid);
    }

    private void moveTicket(Exchange exchange, String stage, String sid) {
        String name = sid != null ? sid : exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        String folder = stage != null && stage.startsWith("stage-") ? stage.substring("stage-".length()) : stage;
        if (name == null || name.contains("/") || !JobRepository.STAGES.contains(folder)) {
            LOG.error("ticket {} of stage {}: not moved to {}/", name, stage, JobRepository.FAILED);
            return;
        }
        JobRepository jobs = pipeline.jobs();
        Path ticket = jobs.stageDir(folder).resolve(name);
        Path failed = jobs.dataDir().resolve(JobRepository.FAILED).resolve(folder).resolve(name);
        try {
            Files.createDirectories(failed.getParent());
            DurableFiles.move(ticket, failed);
        } catch (IOException e) {
            LOG.error("ticket {}: cannot move it to {}: {}", name, failed.getParent(), Failures.summary(e));
        }
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
