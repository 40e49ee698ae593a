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
 * <p>Several replicas of the service may each receive the same completion (Metis retries through the
 * load balancer). The status, the record and the claim of its mail ({@code mail_claim}: the replica and
 * the ticket that send it) are written in one transaction of the job store, which decides against the
 * job as stored: the first transaction sets the status and claims the mail, every later one finds the
 * result there and the mail claimed, and changes nothing. So the status is set once and one mail goes
 * out, whichever replicas and however many tickets the completion came through. The claimant is a
 * ticket, which waits on its replica's volume until its mail went out (retried, or resumed after a
 * crash there); the mail of a claimant whose volume is lost for good is not sent by another.
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
    private final String replica;

    public CompleteStage(JobRepository jobs, JobStore store, StatusTexts texts, ResultLinks links, String support) {
        this(jobs, store, texts, links, support, edu.niu.igait.logging.Replica.DEFAULT);
    }

    public CompleteStage(JobRepository jobs, JobStore store, StatusTexts texts, ResultLinks links, String support, String replica) {
        this.jobs = jobs;
        this.store = store;
        this.texts = texts;
        this.links = links;
        this.support = support;
        this.replica = replica;
    }

    /** A completion being applied: the ticket, the job as stored, and what is left to do. */
    public static final class Completion {
        final Ticket ticket;
        final Map<String, Object> job;
        Map<String, Object> record;
        final String submissionId;
        final boolean done;
        volatile boolean mailDue;

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

        /** The mail of this result has not gone out yet, and (once applied) is this ticket's to send. */
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

    /**
     * Sets the final status, the completion record and the claim of its mail in one transaction of the
     * stored job (what is not yet there), and decides whether the mail is this ticket's to send: not when
     * it went out already, or another ticket (on this replica or another) claimed it first.
     */
    public void apply(Completion c) {
        Ticket ticket = c.ticket;
        String claim = replica + "/" + ticket.name();
        Map<String, Object>[] decided = newDecision();
        store.update(ticket.uid, ticket.jobId, stored -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            Map<String, Object> recorded = map(stored.get("completion"));
            boolean sameResult = recorded != null && ticket.statusCode.equals(recorded.get("status_code"))
                    && ticket.statusContent.equals(recorded.get("status_content"));
            Map<String, Object> record = new LinkedHashMap<>();
            if (sameResult) {
                record.putAll(recorded);
            } else {
                record.put("status_code", ticket.statusCode);
                record.put("status_content", ticket.statusContent);
                record.put("received_at", (ticket.receivedAt == null ? Instant.now() : ticket.receivedAt).toString());
            }
            Object claimed = record.get("mail_claim");
            boolean mine = record.get("mailed_at") == null && (claimed == null || claim.equals(claimed));
            if (mine) {
                record.put("mail_claim", claim);
            }
            if (!shows(stored, ticket)) {
                fields.put("status", JobStore.status(finalCode(ticket), ticket.statusContent));
            }
            if (!record.equals(recorded)) {
                fields.put("completion", record);
            }
            decided[0] = record;
            decided[1] = fields;
            return fields;
        }).orElseThrow(() -> new PeerRefused("Firebase", "job " + ticket.jobId + " of uid " + ticket.uid
                + " is no longer in the job store: the result cannot be applied", null));
        Map<String, Object> record = decided[0];
        c.record = record;
        c.mailDue = record.get("mailed_at") == null && claim.equals(record.get("mail_claim"));
        syncJobFolder(c, null);
        if (decided[1].containsKey("status")) {
            LOG.info(Subsystem.FIREBASE, "{}: status {} ({} ms)", ticket, finalCode(ticket), Tickets.elapsed(ticket).toMillis());
        }
        if (!c.mailDue) {
            LOG.info(Subsystem.FIREBASE, "{}: completion {} {}: no mail from this ticket", ticket, ticket.statusCode,
                    record.get("mailed_at") != null ? "already mailed" : "already applied, its mail claimed by " + record.get("mail_claim"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object>[] newDecision() {
        return new Map[2];
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
        if (c.submissionId != null) {
            showResult(jobs, texts, c.submissionId, c.ticket.statusCode, c.ticket.statusContent, mailedAt, c.ticket.stage);
        }
    }

    /**
     * job.json, when this replica holds the job's folder: the final status of a result ({@code OK} or
     * {@code ERR} and Metis's words; the status a neutral value) and its record, where they are not yet.
     * For the result a stage 5 applied (here, or on another replica, whose transaction the overdue check
     * finds in the job store).
     */
    static void showResult(JobRepository jobs, StatusTexts texts, String sid, String statusCode, String content, Instant mailedAt,
                           String stage) {
        if (sid == null || jobs.find(sid).isEmpty()) {
            return;
        }
        StatusCode code = finalCode(statusCode);
        String value = "OK".equals(statusCode) ? texts.complete() : texts.inferenceFailed();
        Job job = jobs.get(sid);
        boolean statusDue = job.status == null || job.status.code != code || !value.equals(job.status.value);
        boolean recordDue = job.completion == null || !statusCode.equals(job.completion.statusCode)
                || !content.equals(job.completion.content)
                || (mailedAt != null && job.completion.mailSentAt == null);
        if (!statusDue && !recordDue) {
            return;
        }
        jobs.update(sid, j -> {
            Instant now = Instant.now();
            if (statusDue) {
                j.setStatus(code, value, now, stage);
            }
            if (j.completion == null || !statusCode.equals(j.completion.statusCode)
                    || !content.equals(j.completion.content)) {
                j.completion = new Job.Completion();
                j.completion.statusCode = statusCode;
                j.completion.content = content;
                j.completion.receivedAt = now;
            }
            if (mailedAt != null) {
                j.completion.mailSentAt = mailedAt;
            }
        });
    }

    static StatusCode finalCode(Ticket ticket) {
        return finalCode(ticket.statusCode);
    }

    static StatusCode finalCode(String statusCode) {
        return "OK".equals(statusCode) ? StatusCode.Complete : StatusCode.InferenceErr;
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
