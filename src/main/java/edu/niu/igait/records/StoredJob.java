package edu.niu.igait.records;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.store.JobStore;

/**
 * One job as the job store holds it ({@code users/<uid>/jobs/<jobId>}, the app's shape), read
 * defensively: the app and older versions of the service wrote these too.
 */
final class StoredJob {

    final String uid;
    final int jobId;
    final Map<String, Object> fields;

    StoredJob(String uid, int jobId, Map<String, Object> fields) {
        this.uid = uid;
        this.jobId = jobId;
        this.fields = fields;
    }

    /** Every job of a user's tree ({@code users/<uid>}), by job id; holes (deleted jobs) left out. */
    @SuppressWarnings("unchecked")
    static List<StoredJob> all(String uid, Map<String, Object> user) {
        List<StoredJob> jobs = new ArrayList<>();
        if (user != null && user.get("jobs") instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof Map<?, ?> m) {
                    jobs.add(new StoredJob(uid, i, (Map<String, Object>) m));
                }
            }
        }
        return jobs;
    }

    /** The submission id the service wrote with the job; null for a job the service did not record. */
    String submissionId() {
        return fields.get("submission_id") instanceof String sid && SubmissionId.isValid(sid) ? sid : null;
    }

    /** The app's {@code timestamp}: {@code {"secs_since_epoch", "nanos_since_epoch"}}; null when missing. */
    Instant submittedAt() {
        return JobStore.submittedAt(fields);
    }

    /** The latest time the store knows of: when Metis's result came, else the submission. */
    Instant updatedAt() {
        if (fields.get("completion") instanceof Map<?, ?> completion && completion.get("received_at") instanceof String at) {
            try {
                return Instant.parse(at);
            } catch (java.time.format.DateTimeParseException e) {
                // not a time the service wrote: the submission's time stands
            }
        }
        return submittedAt();
    }

    /** Seconds since the epoch of {@link #submittedAt}, {@link Long#MIN_VALUE} when unknown (the oldest). */
    long submittedSeconds() {
        Instant at = submittedAt();
        return at == null ? Long.MIN_VALUE : at.getEpochSecond();
    }

    StatusCode statusCode() {
        return fields.get("status") instanceof Map<?, ?> status ? StatusCode.parse(status.get("code")) : null;
    }

    String statusValue() {
        return fields.get("status") instanceof Map<?, ?> status && status.get("value") instanceof String value ? value : null;
    }

    /**
     * The score Metis gave a Complete job: the status value (stage 5 writes the score there), else the
     * completion record's; null for any other job or a value that is not a number.
     */
    Double score() {
        String text = scoreText();
        return text == null ? null : number(text);
    }

    /** The score as Metis wrote it (e.g. {@code 0.8700}); null where {@link #score} is. */
    String scoreText() {
        if (statusCode() != StatusCode.Complete) {
            return null;
        }
        if (number(statusValue()) != null) {
            return statusValue().strip();
        }
        if (fields.get("completion") instanceof Map<?, ?> completion && "OK".equals(completion.get("status_code"))
                && completion.get("status_content") instanceof String content && number(content) != null) {
            return content.strip();
        }
        return null;
    }

    private static Double number(String text) {
        if (text == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(text.strip());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The address the job's mails go to; null when there is none. */
    String email() {
        return fields.get("email") instanceof String email && !email.isBlank() ? email.strip() : null;
    }

    /** A field as text for a report (age, sex, height, weight); empty when missing. */
    String text(String field) {
        Object value = fields.get(field);
        return value == null ? "" : value.toString();
    }
}
