package edu.niu.igait.logging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.MDC;

/**
 * The job's ids as fields of every log line written while the job is worked on ({@code sid},
 * {@code uid}, {@code jobId}, {@code stage}; in the JSON format each is a field of its own). Never
 * medical data, never an email address. Put for a {@link Scope}: what the thread held before comes back
 * when it closes, so the ids of one job never stay behind on a thread that goes on to another.
 */
public final class JobFields {

    public static final String SID = "sid";
    public static final String UID = "uid";
    public static final String JOB_ID = "jobId";
    public static final String STAGE = "stage";
    public static final List<String> KEYS = List.of(SID, UID, JOB_ID, STAGE);

    private JobFields() {
    }

    /** Puts the given ids (null ones removed) until the scope closes. */
    public static Scope put(String sid, String uid, Integer jobId, String stage) {
        Map<String, String> previous = new LinkedHashMap<>(4);
        for (String key : KEYS) {
            previous.put(key, MDC.get(key));
        }
        set(SID, sid);
        set(UID, uid);
        set(JOB_ID, jobId == null ? null : jobId.toString());
        set(STAGE, stage);
        return new Scope(previous);
    }

    /** Removes the ids until the scope closes. */
    public static Scope none() {
        return put(null, null, null, null);
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /** What the thread held before; restored by {@link #close()}. */
    public static final class Scope implements AutoCloseable {
        private final Map<String, String> previous;

        private Scope(Map<String, String> previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            previous.forEach(JobFields::set);
        }
    }
}
