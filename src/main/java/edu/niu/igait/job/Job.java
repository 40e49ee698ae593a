package edu.niu.igait.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One submission as kept in {@code data/jobs/<sid>/job.json}: what the parent sent, where it stands,
 * and what each stage has already done (so a repeated stage can tell).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Job {

    public String submissionId;
    public String uid;
    public int age;
    public String ethnicity;
    public String sex;
    public String height;
    public int weight;
    public String email;
    public Video front;
    public Video side;
    public Instant submittedAt;
    /** The stage the job last entered, or {@code failed/<stage>}; the ticket's folder is what counts. */
    public String stage;
    /** Index of the job in {@code users/<uid>/jobs}, once recorded. */
    public Integer jobId;
    /** The PBS job id Metis answered, once submitted. */
    public String pbsId;
    /**
     * The replica whose data folder holds the job ({@code igait.replica.name}), as stage 1 recorded it in
     * the job store too: where its stages run, and which replica's volume to look at.
     */
    public String replica;
    /** When a qsub was last sent and its answer not yet saved: its outcome is unknown until then. */
    public Instant submitSentAt;
    /** When Metis took the job (its PBS id was saved). */
    public Instant metisSubmittedAt;
    /** When the operator was told that Metis's result is overdue (once per job). */
    public Instant overdueReportedAt;
    public Status status;
    public Instant updatedAt;
    public Instant videosDeletedAt;
    public Instant welcomeMailSentAt;
    public Completion completion;
    public String failureReason;
    /**
     * The status the job showed when a stage failed it (SubmissionErr): shown again when its ticket is
     * moved back from {@code failed/} (stages.Tickets.resume).
     */
    public Status statusBeforeFailure;
    public List<HistoryEntry> history = new ArrayList<>();

    /** One uploaded video as stored: its extension (lower case) and size. */
    public static class Video {
        public String ext;
        public long bytes;

        public Video() {
        }

        public Video(String ext, long bytes) {
            this.ext = ext;
            this.bytes = bytes;
        }

        public String fileName(String side) {
            return side + "." + ext;
        }
    }

    /** The status as the app shows it. */
    public static class Status {
        public StatusCode code;
        public String value;

        public Status() {
        }

        public Status(StatusCode code, String value) {
            this.code = code;
            this.value = value;
        }
    }

    /**
     * A step in the job's life, for operators and the status endpoint: a status it was given, or a
     * note (what a stage did or waits for, when it does not change the status: a final one stays).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HistoryEntry {
        public Instant at;
        public String stage;
        public StatusCode code;
        public String value;
        public String note;

        public HistoryEntry() {
        }

        public HistoryEntry(Instant at, String stage, StatusCode code, String value) {
            this.at = at;
            this.stage = stage;
            this.code = code;
            this.value = value;
        }
    }

    /** The result Metis reported, and whether its mail went out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Completion {
        public String statusCode;
        public String content;
        public Instant receivedAt;
        public Instant mailSentAt;
    }

    /** Sets the status and notes it in the history. */
    public void setStatus(StatusCode code, String value, Instant now) {
        setStatus(code, value, now, stage);
    }

    /** For the routes' expressions (they read properties, not fields). */
    public String getSubmissionId() {
        return submissionId;
    }

    /** The job shows a result from Metis, which nothing but another result replaces. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean hasFinalStatus() {
        return status != null && status.code != null && status.code.isFinal();
    }

    /** Notes in the history what {@code byStage} did or waits for, without changing the status. */
    public void note(String text, Instant now, String byStage) {
        HistoryEntry entry = new HistoryEntry(now, byStage, null, null);
        entry.note = text;
        this.updatedAt = now;
        this.history.add(entry);
    }

    /** Sets the status and notes it in the history as the work of {@code byStage}. */
    public void setStatus(StatusCode code, String value, Instant now, String byStage) {
        this.status = new Status(code, value);
        this.updatedAt = now;
        this.history.add(new HistoryEntry(now, byStage, code, value));
    }
}
