package edu.niu.igait.completion;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.pipeline.PermanentFailure;
import edu.niu.igait.pipeline.Pipeline;
import edu.niu.igait.pipeline.RetryState;
import edu.niu.igait.store.JobStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 5: applies a result from Metis to the job where the app reads it, once. The stored job
 * carries a {@code completion} record ({@code status_code}, {@code status_content},
 * {@code received_at}, and {@code mailed_at} once the mail went out), written in the same update as
 * the status. So a repeated completion (same code and content) finds its result applied and mailed
 * and does nothing; a crash between the mail and {@code mailed_at} sends the mail once more at most;
 * a different result (a re-run on Metis) is applied and mailed.
 *
 * <p>The record is in the job store, not in job.json, because the job's data folder may be gone; when
 * it is there, job.json gets the status too (with a neutral value: the status endpoint shows no
 * medical data).
 */
public class Completions {

    public static final String REQUEST = "completion";
    public static final String STORED_JOB = "storedJob";
    public static final String DONE = "completionDone";
    public static final String MAIL_DUE = "completionMailDue";
    static final String RECORD = "completionRecord";
    static final String SUBMISSION = "completionSubmissionId";

    private static final Logger LOG = LoggerFactory.getLogger("igait.completion");

    private final JobRepository jobs;
    private final JobStore store;
    private final CompletionTickets tickets;

    public Completions(JobRepository jobs, JobStore store, CompletionTickets tickets) {
        this.jobs = jobs;
        this.store = store;
        this.tickets = tickets;
    }

    /**
     * Reads the ticket and the stored job, and decides: {@link #DONE} when the job already shows this
     * result and nothing is to be sent; {@link #MAIL_DUE} when the mail has not gone out yet.
     */
    public void begin(Exchange exchange) {
        exchange.setProperty(Pipeline.STAGE, CompletionTickets.STAGE);
        exchange.setProperty("startedNanos", System.nanoTime());
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        CompletionTicket ticket = tickets.read(file);
        exchange.setProperty(RetryState.PROPERTY, tickets.retryState(file, ticket));
        CompletionRequest request = ticket.request();
        exchange.setProperty(REQUEST, request);
        exchange.setProperty("uid", request.uid());
        exchange.setProperty("jobId", request.jobId());
        exchange.setProperty("statusCode", request.statusCode());

        Map<String, Object> job = store.job(request.uid(), request.jobId()).orElseThrow(() -> new PermanentFailure(
                "Metis reported a result (" + request.statusCode() + ") for job " + request.jobId() + " of uid "
                        + request.uid() + ", which the job store does not have"));
        Object email = job.get("email");
        if (!(email instanceof String s) || s.isBlank()) {
            throw new PermanentFailure("job " + request.jobId() + " of uid " + request.uid()
                    + " has no email address in the job store: the result cannot be sent");
        }
        exchange.setProperty(STORED_JOB, job);
        Object sid = job.get("submission_id");
        if (sid instanceof String text && SubmissionId.isValid(text)) {
            exchange.setProperty(SUBMISSION, text);
        }

        Map<String, Object> recorded = map(job.get("completion"));
        boolean sameResult = recorded != null && request.statusCode().equals(recorded.get("status_code"))
                && request.statusContent().equals(recorded.get("status_content"));
        boolean mailed = sameResult && recorded.get("mailed_at") != null;
        boolean showing = shows(job, request);
        Map<String, Object> record = new LinkedHashMap<>();
        if (sameResult) {
            record.putAll(recorded);
        } else {
            record.put("status_code", request.statusCode());
            record.put("status_content", request.statusContent());
            record.put("received_at", (ticket.receivedAt == null ? Instant.now() : ticket.receivedAt).toString());
        }
        exchange.setProperty(RECORD, record);
        boolean done = showing && (mailed || recorded == null);
        exchange.setProperty(DONE, done);
        exchange.setProperty(MAIL_DUE, !mailed);
        if (done) {
            LOG.info(Subsystem.FIREBASE, "job {} for uid {}: completion {} already applied{}: nothing changed, no mail",
                    request.jobId(), request.uid(), request.statusCode(), mailed ? " and mailed" : "");
        }
    }

    /** Sets the final status and the completion record in one update of the stored job (what is not yet there). */
    public void apply(Exchange exchange) {
        CompletionRequest request = exchange.getProperty(REQUEST, CompletionRequest.class);
        Map<String, Object> job = map(exchange.getProperty(STORED_JOB));
        Map<String, Object> fields = new LinkedHashMap<>();
        if (!shows(job, request)) {
            fields.put("status", JobStore.status(finalCode(request), request.statusContent()));
        }
        Map<String, Object> record = map(exchange.getProperty(RECORD));
        if (!record.equals(map(job.get("completion")))) {
            fields.put("completion", record);
        }
        if (!fields.isEmpty()) {
            store.setFields(request.uid(), request.jobId(), fields);
        }
        syncJobFolder(exchange, request, null);
        if (fields.containsKey("status")) {
            LOG.info(Subsystem.FIREBASE, "job {} for uid {}: status {} ({} ms)", request.jobId(), request.uid(),
                    finalCode(request), elapsed(exchange));
        }
    }

    /** The mail went out: note it, so that the same completion never sends it again. */
    public void mailed(Exchange exchange) {
        CompletionRequest request = exchange.getProperty(REQUEST, CompletionRequest.class);
        Instant now = Instant.now();
        Map<String, Object> record = new LinkedHashMap<>(map(exchange.getProperty(RECORD)));
        record.put("mailed_at", now.toString());
        store.setFields(request.uid(), request.jobId(), Map.of("completion", record));
        syncJobFolder(exchange, request, now);
        LOG.info(Subsystem.MAIL, "job {} for uid {}: {} mail sent ({} ms)", request.jobId(), request.uid(),
                request.ok() ? "result" : "failure", elapsed(exchange));
    }

    /** job.json, when the job's folder is still there: the final status (neutral value) and the record. */
    private void syncJobFolder(Exchange exchange, CompletionRequest request, Instant mailedAt) {
        String sid = exchange.getProperty(SUBMISSION, String.class);
        if (sid == null || jobs.find(sid).isEmpty()) {
            return;
        }
        StatusCode code = finalCode(request);
        String value = request.ok() ? "Analysis complete; the result goes to the email address of the submission."
                : "Analysis failed on Metis; the reason goes to the email address of the submission.";
        Job job = jobs.get(sid);
        boolean statusDue = job.status == null || job.status.code != code || !value.equals(job.status.value);
        boolean recordDue = job.completion == null || !request.statusCode().equals(job.completion.statusCode)
                || !request.statusContent().equals(job.completion.content)
                || (mailedAt != null && job.completion.mailSentAt == null);
        if (!statusDue && !recordDue) {
            return;
        }
        jobs.update(sid, j -> {
            Instant now = Instant.now();
            if (statusDue) {
                j.setStatus(code, value, now, CompletionTickets.STAGE);
            }
            if (j.completion == null || !request.statusCode().equals(j.completion.statusCode)
                    || !request.statusContent().equals(j.completion.content)) {
                j.completion = new Job.Completion();
                j.completion.statusCode = request.statusCode();
                j.completion.content = request.statusContent();
                j.completion.receivedAt = now;
            }
            if (mailedAt != null) {
                j.completion.mailSentAt = mailedAt;
            }
        });
    }

    static StatusCode finalCode(CompletionRequest request) {
        return request.ok() ? StatusCode.Complete : StatusCode.InferenceErr;
    }

    private static boolean shows(Map<String, Object> job, CompletionRequest request) {
        Map<String, Object> status = map(job.get("status"));
        return status != null && finalCode(request).name().equals(status.get("code"))
                && Objects.equals(request.statusContent(), status.get("value"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static long elapsed(Exchange exchange) {
        Long started = exchange.getProperty("startedNanos", Long.class);
        return started == null ? 0 : Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
