package edu.niu.igait.records;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a parent's records come from: this machine's data folder ({@code data/jobs/<sid>/job.json},
 * while it is kept) and the job store, which holds every job (and finds a submission id through its
 * index {@code submissions/<sid>}); and what the API shows of a stored job's status: a final status's
 * value is a neutral text, never the score or Metis's words (no medical data in these answers).
 */
public class Records {

    private static final Logger LOG = LoggerFactory.getLogger("igait.records");
    /** How long a client is asked to wait when the job store or S3 cannot be reached. */
    static final long RETRY_SECONDS = 30;

    private final JobRepository jobs;
    private final JobStore store;
    private final String completeText;
    private final String inferenceFailedText;

    /**
     * @param store               null when the pipeline does not run (igait.pipeline.enabled=false): then only
     *                            this machine's records are known
     * @param completeText        what a Complete job's status value shows ({@code igait.status.complete})
     * @param inferenceFailedText what an InferenceErr job's shows ({@code igait.status.inference-failed})
     */
    public Records(JobRepository jobs, JobStore store, String completeText, String inferenceFailedText) {
        this.jobs = jobs;
        this.store = store;
        this.completeText = completeText;
        this.inferenceFailedText = inferenceFailedText;
    }

    JobRepository jobs() {
        return jobs;
    }

    boolean hasStore() {
        return store != null;
    }

    JobStore store() {
        if (store == null) {
            throw new IllegalStateException("no job store: the pipeline does not run");
        }
        return store;
    }

    /** A submission found: on this machine ({@code local}) or only in the job store ({@code stored}). */
    record Found(String sid, String uid, Integer jobId, Job local, StoredJob stored) {
    }

    /** The submission here, else through the job store's index; empty when nobody has it. */
    Optional<Found> find(String sid) {
        if (!SubmissionId.isValid(sid)) {
            return Optional.empty();
        }
        Optional<Job> local = jobs.find(sid);
        if (local.isPresent()) {
            Job job = local.get();
            return Optional.of(new Found(sid, job.uid, job.jobId, job, null));
        }
        if (store == null) {
            return Optional.empty();
        }
        return reading(() -> store.submission(sid).flatMap(ref -> store.job(ref.uid(), ref.jobId())
                .map(fields -> new Found(sid, ref.uid(), ref.jobId(), null, new StoredJob(ref.uid(), ref.jobId(), fields)))));
    }

    /** A user's jobs in the job store, by job id. */
    java.util.List<StoredJob> jobsOf(String uid) {
        return reading(() -> StoredJob.all(uid, store().user(uid).orElse(null)));
    }

    /** {@code {"code", "value"}} as the API shows a stored status: a final one's value neutral. */
    Map<String, Object> status(StatusCode code, String value) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("code", code == null ? null : code.name());
        status.put("value", code == StatusCode.Complete ? completeText : code == StatusCode.InferenceErr ? inferenceFailedText : value);
        return status;
    }

    /**
     * Where a job stands: its ticket's folder on this machine, else what its stored status says
     * ({@code done} for a result, {@code failed} for SubmissionErr; {@code unknown} for a job in the
     * pipeline of a machine whose records this one does not hold).
     */
    String stage(String sid, StatusCode code) {
        if (sid != null) {
            Optional<String> here = jobs.ticketLocation(sid);
            if (here.isPresent()) {
                return here.get();
            }
        }
        if (code != null && code.isFinal()) {
            return JobRepository.DONE;
        }
        return code == StatusCode.SubmissionErr ? JobRepository.FAILED : "unknown";
    }

    static String time(Instant at) {
        return at == null ? null : at.toString();
    }

    /**
     * What a peer answers (the job store, S3); one that cannot be reached, or refuses, is {@code 503}
     * with {@code Retry-After} for the client and a line for the operator.
     */
    static <T> T reading(Supplier<T> read) {
        try {
            return read.get();
        } catch (PeerUnavailable | PeerRefused | UncheckedIOException e) {
            LOG.warn("a parent's records could not be read: {}", Errors.summary(e));
            throw RequestRejected.retryAfter(503, "unavailable", "the service cannot read its records right now; try again shortly",
                    RETRY_SECONDS);
        }
    }
}
