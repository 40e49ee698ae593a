package edu.niu.igait.stages;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.s3.ResultLinks;
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 5-complete: a result from Metis (a completion's ticket) applied to the job where the app reads
 * it, once. The stored job carries a {@code completion} record ({@code status_code},
 * {@code status_content}, {@code received_at}, and {@code mailed_at} once the mail went out), written
 * in the same update as the status. So a repeated completion (same code and content) finds its result
 * applied and mailed and does nothing; a crash between the mail and {@code mailed_at} sends the mail
 * once more at most; a different result (a re-run on Metis) is applied and mailed.
 *
 * <p>The record is in the job store, not in job.json, because the job's data folder may be gone; when
 * it is there, job.json gets the status too, with a neutral value (the status endpoint shows no
 * medical data).
 */
public class CompleteStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStore store;
    private final StatusTexts texts;
    private final ResultLinks links;
    private final String support;

    public CompleteStage(JobRepository jobs, JobStore store, StatusTexts texts, ResultLinks links, String support) {
        this.jobs = jobs;
        this.store = store;
        this.texts = texts;
        this.links = links;
        this.support = support;
    }

    /** A completion being applied: the ticket, the job as stored, and what is left to do. */
    public static final class Completion {
        final Ticket ticket;
        final Map<String, Object> job;
        final Map<String, Object> record;
        final String submissionId;
        final boolean done;
        final boolean mailDue;

        Completion(Ticket ticket, Map<String, Object> job, Map<String, Object> record, String submissionId, boolean done,
                   boolean mailDue) {
            this.ticket = ticket;
            this.job = job;
            this.record = record;
            this.submissionId = submissionId;
            this.done = done;
            this.mailDue = mailDue;
        }

        /** The job already shows this result and nothing is left to send. */
        public boolean isDone() {
            return done;
        }

        /** The mail of this result has not gone out yet. */
        public boolean isMailDue() {
            return mailDue;
        }

        public boolean isOk() {
            return "OK".equals(ticket.statusCode);
        }

        /** Where the mail of this result goes: the job's address in the job store. */
        public String getEmail() {
            return (String) job.get("email");
        }

        @Override
        public String toString() {
            return "completion " + ticket.statusCode + " of " + ticket;
        }
    }

    /** Reads the stored job and decides what is left to do. A job the store does not have fails for good. */
    public Completion begin(Ticket ticket) {
        Map<String, Object> job = store.job(ticket.uid, ticket.jobId).orElseThrow(() -> new PeerRefused("Firebase",
                "Metis reported a result (" + ticket.statusCode + ") for job " + ticket.jobId + " of uid " + ticket.uid
                        + ", which the job store does not have", null));
        Object email = job.get("email");
        if (!(email instanceof String s) || s.isBlank()) {
            throw new PeerRefused("Firebase", "job " + ticket.jobId + " of uid " + ticket.uid
                    + " has no email address in the job store: the result cannot be sent", null);
        }
        Object sid = job.get("submission_id");
        String submissionId = sid instanceof String text && SubmissionId.isValid(text) ? text : null;

        Map<String, Object> recorded = map(job.get("completion"));
        boolean sameResult = recorded != null && ticket.statusCode.equals(recorded.get("status_code"))
                && ticket.statusContent.equals(recorded.get("status_content"));
        boolean mailed = sameResult && recorded.get("mailed_at") != null;
        Map<String, Object> record = new LinkedHashMap<>();
        if (sameResult) {
            record.putAll(recorded);
        } else {
            record.put("status_code", ticket.statusCode);
            record.put("status_content", ticket.statusContent);
            record.put("received_at", (ticket.receivedAt == null ? Instant.now() : ticket.receivedAt).toString());
        }
        boolean done = shows(job, ticket) && (mailed || recorded == null);
        if (done) {
            LOG.info(Subsystem.FIREBASE, "{}: completion {} already applied{}: nothing changed, no mail",
                    ticket, ticket.statusCode, mailed ? " and mailed" : "");
        }
        return new Completion(ticket, job, record, submissionId, done, !mailed);
    }

    /** Sets the final status and the completion record in one update of the stored job (what is not yet there). */
    public void apply(Completion c) {
        Ticket ticket = c.ticket;
        Map<String, Object> fields = new LinkedHashMap<>();
        if (!shows(c.job, ticket)) {
            fields.put("status", JobStore.status(finalCode(ticket), ticket.statusContent));
        }
        if (!c.record.equals(map(c.job.get("completion")))) {
            fields.put("completion", c.record);
        }
        if (!fields.isEmpty()) {
            store.setFields(ticket.uid, ticket.jobId, fields);
        }
        syncJobFolder(c, null);
        if (fields.containsKey("status")) {
            LOG.info(Subsystem.FIREBASE, "{}: status {} ({} ms)", ticket, finalCode(ticket), Tickets.elapsed(ticket).toMillis());
        }
    }

    /** The values of the result mail (result.html): the score, the submission, links to the keyframed videos. */
    public Map<String, Object> resultValues(Completion c) {
        Ticket ticket = c.ticket;
        Map<String, Object> values = commonValues(c);
        Map<String, String> urls = links.keyframed(ticket.uid, ticket.jobId);
        values.put("score", ticket.statusContent);
        for (String field : new String[] {"age", "ethnicity", "sex", "height", "weight"}) {
            values.put(field, c.job.get(field));
        }
        values.put("frontUrl", urls.get("front"));
        values.put("sideUrl", urls.get("side"));
        values.put("linkValidity", human(links.validity()));
        values.put("linksExpire", MailTemplates.time(Instant.now().plus(links.validity())));
        return values;
    }

    /** The values of the failure mail (failure.html): the reason Metis gave. */
    public Map<String, Object> failureValues(Completion c) {
        Map<String, Object> values = commonValues(c);
        values.put("reason", c.ticket.statusContent);
        values.put("statusCode", finalCode(c.ticket).name());
        return values;
    }

    private Map<String, Object> commonValues(Completion c) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("submittedAt", MailTemplates.time(submittedAt(c.job)));
        values.put("uid", c.ticket.uid);
        values.put("jobId", c.ticket.jobId);
        values.put("support", support);
        return values;
    }

    /** The mail went out: noted, so that the same completion never sends it again. */
    public void mailed(Completion c) {
        Ticket ticket = c.ticket;
        Instant now = Instant.now();
        Map<String, Object> record = new LinkedHashMap<>(c.record);
        record.put("mailed_at", now.toString());
        store.setFields(ticket.uid, ticket.jobId, Map.of("completion", record));
        syncJobFolder(c, now);
        LOG.info(Subsystem.MAIL, "{}: {} mail sent ({} ms)", ticket, c.isOk() ? "result" : "failure",
                Tickets.elapsed(ticket).toMillis());
    }

    /** job.json, when the job's folder is still there: the final status (neutral value) and the record. */
    private void syncJobFolder(Completion c, Instant mailedAt) {
        Ticket ticket = c.ticket;
        String sid = c.submissionId;
        if (sid == null || jobs.find(sid).isEmpty()) {
            return;
        }
        StatusCode code = finalCode(ticket);
        String value = c.isOk() ? texts.complete() : texts.inferenceFailed();
        Job job = jobs.get(sid);
        boolean statusDue = job.status == null || job.status.code != code || !value.equals(job.status.value);
        boolean recordDue = job.completion == null || !ticket.statusCode.equals(job.completion.statusCode)
                || !ticket.statusContent.equals(job.completion.content)
                || (mailedAt != null && job.completion.mailSentAt == null);
        if (!statusDue && !recordDue) {
            return;
        }
        jobs.update(sid, j -> {
            Instant now = Instant.now();
            if (statusDue) {
                j.setStatus(code, value, now, ticket.stage);
            }
            if (j.completion == null || !ticket.statusCode.equals(j.completion.statusCode)
                    || !ticket.statusContent.equals(j.completion.content)) {
                j.completion = new Job.Completion();
                j.completion.statusCode = ticket.statusCode;
                j.completion.content = ticket.statusContent;
                j.completion.receivedAt = now;
            }
            if (mailedAt != null) {
                j.completion.mailSentAt = mailedAt;
            }
        });
    }

    static StatusCode finalCode(Ticket ticket) {
        return "OK".equals(ticket.statusCode) ? StatusCode.Complete : StatusCode.InferenceErr;
    }

    private static boolean shows(Map<String, Object> job, Ticket ticket) {
        Map<String, Object> status = map(job.get("status"));
        return status != null && finalCode(ticket).name().equals(status.get("code"))
                && Objects.equals(ticket.statusContent, status.get("value"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The app's {@code timestamp}: {@code {"secs_since_epoch", "nanos_since_epoch"}}. */
    static Instant submittedAt(Map<String, Object> job) {
        return JobStore.submittedAt(job);
    }

    /** A duration in words for the mail: {@code 7 days}, {@code 36 hours}. */
    static String human(Duration d) {
        return MailTemplates.duration(d);
    }
}
