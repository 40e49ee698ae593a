package edu.niu.igait.store;

import java.util.Map;
import java.util.Optional;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;

/**
 * Where the iGait app reads jobs: {@code users/<uid>} = {@code {"uid", "jobs": [Job, ...]}}, the job id
 * being the array index; and the research contributions, {@code contributions/<uid>/<id>}, apart from
 * the screening tree. Implementations: the Firebase Realtime Database, and an embedded local store
 * with the same tree and guarantees.
 */
public interface JobStore extends AutoCloseable {

    /** The index a submission id is found by: {@code submissions/<sid>} = {@code {"uid", "job_id"}}. */
    String SUBMISSIONS = "submissions";
    /** Where research contributions are recorded: {@code contributions/<uid>/<id>}, never under {@code users/<uid>/jobs}. */
    String CONTRIBUTIONS = "contributions";

    /**
     * Where the requests of a user that a per-user limit counts are noted, whichever replica took them:
     * {@code requests/<kind>/<uid>/<key>} = {@code {"at", "replica"}} (kind {@code history}: the history
     * by mail; {@code contribution}: the research contributions, counted with the uploads). Apart from {@code users/<uid>}, whose transactions they would otherwise disturb.
     */
    String REQUESTS = "requests";

    /** Where a submission's job is in the store: {@code users/<uid>/jobs/<jobId>}. */
    record SubmissionRef(String uid, int jobId) {
    }

    /**
     * Records the job under its uid, once: in one transaction, finds a job carrying this submission id
     * and returns its index, or appends the job at the next index. Two calls never share an index.
     * Then (right after the transaction, and again on every repeat, so a crash between the two leaves
     * nothing missing) the index {@code submissions/<sid>} = {@code {"uid", "job_id"}}, by which any
     * machine of the service finds the job of a submission id.
     */
    int record(Job job);

    /** The job a submission id became, from the index {@link #record} writes; empty before, or for an unknown id. */
    Optional<SubmissionRef> submission(String sid);

    /** Whether {@code users/<uid>/administrator} is {@code true}: such a user may read any user's jobs. */
    boolean administrator(String uid);

    /**
     * Sets {@code users/<uid>/jobs/<jobId>/status}, unless the stored status is final (a result from
     * Metis) and this one is not: a stage that retries or gives up after the result never replaces it.
     * Atomic against a concurrent change of the status. Returns whether the status was set.
     */
    boolean setStatus(String uid, int jobId, StatusCode code, String value);

    /** Sets fields of the stored job other than its status (e.g. the PBS id), leaving the rest. */
    void setFields(String uid, int jobId, Map<String, Object> fields);

    /**
     * Changes the stored job in one transaction: {@code change} gets the job as stored and returns the
     * fields to set (or null, or none, to leave it as it is), and the store sets them only if the job did
     * not change meanwhile, else asks {@code change} again with the job as it is now. So what
     * {@code change} decides holds across every process that changes the job this way (the replicas of
     * the service): {@code change} may run more than once and must do nothing but decide.
     *
     * @return the job as it stands after the transaction; empty when there is no such job
     */
    Optional<Map<String, Object>> update(String uid, int jobId, java.util.function.UnaryOperator<Map<String, Object>> change);

    /** Notes a user's request of a kind ({@link #REQUESTS}); {@code key} is the request's own (letters, digits, '-', '_'). */
    void noteRequest(String kind, String uid, String key, Map<String, Object> entry);

    /** A user's requests of a kind as noted: key to {@code {"at", "replica"}}; empty when there are none. */
    Map<String, Object> requests(String kind, String uid);

    /** Whether kind, uid and key name a place under {@link #REQUESTS}. */
    static boolean isRequestPath(String kind, String uid, String key) {
        return kind != null && kind.matches("[a-z][a-z-]{0,31}") && edu.niu.igait.job.Uid.isValid(uid)
                && (key == null || key.matches("[A-Za-z0-9_-]{1,64}"));
    }

    /** The stored job as the app sees it, if it exists. */
    Optional<Map<String, Object>> job(String uid, int jobId);

    /** The whole {@code users/<uid>} tree, if it exists. */
    Optional<Map<String, Object>> user(String uid);

    /** A research contribution's record, {@code contributions/<uid>/<id>}; empty when there is none. */
    Optional<Map<String, Object>> contribution(String uid, String id);

    /**
     * Writes {@code contributions/<uid>/<id>} whole, replacing what is there (a withdrawn contribution's
     * record is replaced by what remains of it): the same record written again changes nothing.
     */
    void putContribution(String uid, String id, Map<String, Object> record);

    /** Sets fields of {@code contributions/<uid>/<id>} (its status), leaving the rest. */
    void updateContribution(String uid, String id, Map<String, Object> fields);

    /** A short name for logs and health output. */
    String name();

    @Override
    default void close() {
    }

    /** Fields the store writes for a job, in the shape the app reads. */
    static Map<String, Object> document(Job job) {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("age", job.age);
        doc.put("ethnicity", job.ethnicity);
        doc.put("sex", job.sex);
        doc.put("height", job.height);
        doc.put("weight", job.weight);
        doc.put("email", job.email);
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("code", job.status.code.name());
        status.put("value", job.status.value);
        doc.put("status", status);
        Map<String, Object> timestamp = new java.util.LinkedHashMap<>();
        timestamp.put("secs_since_epoch", job.submittedAt.getEpochSecond());
        timestamp.put("nanos_since_epoch", job.submittedAt.getNano());
        doc.put("timestamp", timestamp);
        doc.put("submission_id", job.submissionId);
        if (job.replica != null) {
            doc.put("replica", job.replica);
        }
        return doc;
    }

    /** The index entry of a submission, {@code {"uid", "job_id"}}. */
    static Map<String, Object> index(String uid, int jobId) {
        Map<String, Object> entry = new java.util.LinkedHashMap<>();
        entry.put("uid", uid);
        entry.put("job_id", jobId);
        return entry;
    }

    /** An index entry as read back; empty when it is not one (a uid and a job id of 0 or more). */
    static Optional<SubmissionRef> ref(Object value) {
        if (value instanceof Map<?, ?> m && m.get("uid") instanceof String uid && edu.niu.igait.job.Uid.isValid(uid)
                && m.get("job_id") instanceof Number jobId && jobId.longValue() >= 0 && jobId.longValue() <= Integer.MAX_VALUE) {
            return Optional.of(new SubmissionRef(uid, jobId.intValue()));
        }
        return Optional.empty();
    }

    /** A stored job's {@code timestamp} ({@code {"secs_since_epoch", "nanos_since_epoch"}}) as a time; null when missing. */
    static java.time.Instant submittedAt(Map<String, Object> job) {
        if (!(job.get("timestamp") instanceof Map<?, ?> timestamp) || !(timestamp.get("secs_since_epoch") instanceof Number secs)) {
            return null;
        }
        long nanos = timestamp.get("nanos_since_epoch") instanceof Number n ? n.longValue() : 0;
        return java.time.Instant.ofEpochSecond(secs.longValue(), Math.max(0, Math.min(nanos, 999_999_999L)));
    }

    static Map<String, Object> status(StatusCode code, String value) {
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("code", code.name());
        status.put("value", value);
        return status;
    }
}
