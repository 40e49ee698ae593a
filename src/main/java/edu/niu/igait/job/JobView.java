package edu.niu.igait.job;

import java.time.Instant;

/**
 * The job a stage's ticket names, as a route may read it: the exchange property {@code job} of every
 * stage (routes/stage.yaml), e.g. {@code ${exchangeProperty.job.status.code}}. Getters only, read from
 * job.json when asked (a step that changed the status sees the new one), and never the parent's email
 * address or the child's data (age, ethnicity, sex, height, weight): a route that needs those asks a bean
 * for them by name. A ticket without a job record (Metis's result, or another pipeline's ticket) has its
 * ids and no status.
 */
public final class JobView {

    private final JobRepository jobs;
    private final String submissionId;
    private final String uid;
    private final Integer jobId;
    private final String stage;

    public JobView(JobRepository jobs, String submissionId, String uid, Integer jobId, String stage) {
        this.jobs = jobs;
        this.submissionId = submissionId;
        this.uid = uid;
        this.jobId = jobId;
        this.stage = stage;
    }

    /** The submission id (the ticket's name); null on a ticket without a job record. */
    public String getSubmissionId() {
        return submissionId;
    }

    public String getUid() {
        return uid;
    }

    /** The job's index under {@code users/<uid>/jobs}, once recorded (stage 1-record); else null. */
    public Integer getJobId() {
        return jobId;
    }

    /** The stage whose steps run now. */
    public String getStage() {
        return stage;
    }

    /** The status the app shows now: its code (Submitting, Queue, Processing, ...) and value; both null without a job record. */
    public Status getStatus() {
        Job job = job();
        return job == null || job.status == null ? new Status(null, null)
                : new Status(job.status.code == null ? null : job.status.code.name(), job.status.value);
    }

    /** When the upload was accepted, ISO-8601 in UTC ({@code 2026-12-06T09:38:29.644Z}). */
    public String getSubmittedAt() {
        Job job = job();
        return job == null ? null : text(job.submittedAt);
    }

    /** When job.json last changed, ISO-8601 in UTC. */
    public String getUpdatedAt() {
        Job job = job();
        return job == null ? null : text(job.updatedAt);
    }

    /** The PBS job id Metis answered, once submitted (stage 3-submit); else null. */
    public String getPbsId() {
        Job job = job();
        return job == null ? null : job.pbsId;
    }

    /** When Metis took the job, ISO-8601 in UTC; null before. */
    public String getMetisSubmittedAt() {
        Job job = job();
        return job == null ? null : text(job.metisSubmittedAt);
    }

    /** Whether there is a job record (job.json) behind the ticket. */
    public boolean isRecorded() {
        return job() != null;
    }

    /** Times as text: a route writes them into JSON or a mail as they are (marshal: json needs no time module). */
    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }

    private Job job() {
        return submissionId == null ? null : jobs.find(submissionId).orElse(null);
    }

    /** For log lines, as the ticket says it: {@code job 7 for uid x}, else {@code submission <sid>}. */
    @Override
    public String toString() {
        if (jobId != null) {
            return "job " + jobId + " for uid " + uid;
        }
        return submissionId != null ? "submission " + submissionId : "a ticket of uid " + uid;
    }

    /** A status as the app shows it. */
    public static final class Status {
        private final String code;
        private final String value;

        Status(String code, String value) {
            this.code = code;
            this.value = value;
        }

        public String getCode() {
            return code;
        }

        public String getValue() {
            return value;
        }

        @Override
        public String toString() {
            return code == null ? "none" : code + ": " + value;
        }
    }
}
