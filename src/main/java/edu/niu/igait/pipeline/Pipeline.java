package edu.niu.igait.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.MalformedJobException;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.store.JobStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each stage route records before and after it talks to its peer: the job id, the status the
 * app shows, what is already done (so a repeated stage can tell), and one log line per job and stage.
 * The talking itself (S3, SSH, SMTP) is in the YAML routes.
 */
public class Pipeline {

    public static final String SID = "sid";
    public static final String STAGE = "stage";

    private static final Logger LOG = LoggerFactory.getLogger("igait.pipeline");

    private final JobRepository jobs;
    private final JobStore store;
    private StageWakeups wakeups;

    public Pipeline(JobRepository jobs, JobStore store) {
        this.jobs = jobs;
        this.store = store;
    }

    /** Loads the job named by the ticket; sets the exchange properties {@code sid}, {@code stage}, {@code uid}, {@code jobId}. */
    public Job begin(Exchange exchange, String stage) {
        String sid = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Job job = jobs.find(sid).orElseThrow(() -> new MalformedJobException("ticket " + sid + " has no job folder"));
        exchange.setProperty(SID, sid);
        exchange.setProperty(STAGE, stage);
        exchange.setProperty("uid", job.uid);
        exchange.setProperty("startedNanos", System.nanoTime());
        if (job.jobId != null) {
            exchange.setProperty("jobId", job.jobId);
        }
        if (!stage.equals(job.stage)) {
            jobs.update(sid, j -> j.stage = stage);
        }
        return job;
    }

    /** Lets each stage wake the next one when it hands a ticket on. */
    public void setWakeups(StageWakeups wakeups) {
        this.wakeups = wakeups;
    }

    // 1-record ---------------------------------------------------------------------------------

    /** Records the job in the store, once: a re-run finds it by its submission id. */
    public void record(Exchange exchange) {
        String sid = exchange.getProperty(SID, String.class);
        Job job = jobs.get(sid);
        int jobId = store.record(job);
        exchange.setProperty("jobId", jobId);
        jobs.update(sid, j -> {
            j.jobId = jobId;
            j.retry = null;
        });
        LOG.info(Subsystem.FIREBASE, "job {} for uid {}: recorded in {} ({} ms)", jobId, job.uid, store.name(), elapsed(exchange));
    }

    // 2-store ----------------------------------------------------------------------------------

    /** The videos still on local disk, to PUT to their fixed keys (a repeated PUT is harmless). */
    public List<Map<String, Object>> videosToStore(Exchange exchange) {
        Job job = jobs.get(exchange.getProperty(SID, String.class));
        requireJobId(job);
        List<Map<String, Object>> puts = new ArrayList<>();
        for (String side : List.of("front", "side")) {
            Job.Video video = "front".equals(side) ? job.front : job.side;
            Path file = jobs.jobDir(job.submissionId).resolve(video.fileName(side));
            if (Files.exists(file)) {
                Map<String, Object> put = new LinkedHashMap<>();
                put.put("key", objectKey(job, video.fileName(side)));
                put.put("file", file.toFile());
                put.put("bytes", video.bytes);
                puts.add(put);
            } else if (job.videosDeletedAt == null) {
                throw new MalformedJobException("the " + side + " video of submission " + job.submissionId + " is missing from disk");
            }
        }
        return puts;
    }

    public String extensionsKey(Exchange exchange) {
        Job job = jobs.get(exchange.getProperty(SID, String.class));
        return objectKey(job, "extensions.json");
    }

    public String extensionsJson(Exchange exchange) {
        Job job = jobs.get(exchange.getProperty(SID, String.class));
        return "{\"front\":\"" + job.front.ext + "\",\"side\":\"" + job.side.ext + "\"}";
    }

    /** The objects the stage must leave in S3, with their sizes, for the check after upload. */
    public Map<String, Long> expectedObjects(Job job) {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put(objectKey(job, job.front.fileName("front")), job.front.bytes);
        expected.put(objectKey(job, job.side.fileName("side")), job.side.bytes);
        return expected;
    }

    /** Videos are in S3 and checked: status Queue, and the local copies go. */
    public void stored(Exchange exchange) {
        String sid = exchange.getProperty(SID, String.class);
        Job job = jobs.get(sid);
        setStatus(job, StatusCode.Queue, "Currently in queue.");
        // Noted before deleting: a crash in between must find the videos in S3, not call them lost.
        jobs.update(sid, j -> {
            j.videosDeletedAt = Instant.now();
            j.retry = null;
        });
        try {
            Files.deleteIfExists(jobs.jobDir(sid).resolve(job.front.fileName("front")));
            Files.deleteIfExists(jobs.jobDir(sid).resolve(job.side.fileName("side")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local videos of " + sid, e);
        }
        long mb = (job.front.bytes + job.side.bytes) / (1024 * 1024);
        LOG.info(Subsystem.S3, "job {} for uid {}: stored in S3 (2 files, {} MB, {} ms)", job.jobId, job.uid, mb, elapsed(exchange));
    }

    // 3-submit ---------------------------------------------------------------------------------

    /** True when Metis already took this job: it is never submitted twice. */
    public boolean alreadySubmitted(Exchange exchange) {
        Job job = jobs.get(exchange.getProperty(SID, String.class));
        return job.pbsId != null;
    }

    /**
     * A job Metis already took (a crash may have come between job.json and the store): the store
     * is told again, so the app does not stay at "in queue".
     */
    public void confirmSubmitted(Exchange exchange) {
        Job job = jobs.get(exchange.getProperty(SID, String.class));
        store.setFields(job.uid, job.jobId, Map.of("pbs_id", job.pbsId));
        if (job.status == null || job.status.code != StatusCode.Processing) {
            setStatus(job, StatusCode.Processing, submittedValue(job.pbsId));
        } else {
            store.setStatus(job.uid, job.jobId, StatusCode.Processing, job.status.value);
        }
        LOG.info(Subsystem.METIS, "job {} for uid {}: already on Metis as {}, not submitted again", job.jobId, job.uid, job.pbsId);
    }

    public void submitted(Exchange exchange, String pbsId) {
        String sid = exchange.getProperty(SID, String.class);
        Job job = jobs.update(sid, j -> {
            j.pbsId = pbsId;
            j.retry = null;
        });
        store.setFields(job.uid, job.jobId, Map.of("pbs_id", pbsId));
        setStatus(job, StatusCode.Processing, submittedValue(pbsId));
        LOG.info(Subsystem.METIS, "job {} for uid {}: submitted to Metis as {} ({} ms)", job.jobId, job.uid, pbsId, elapsed(exchange));
    }

    /** The status value while Metis has the job. */
    public static String submittedValue(String pbsId) {
        return "Submitted to Metis as PBS job " + pbsId + ".";
    }

    // 4-notify ---------------------------------------------------------------------------------

    public boolean welcomeAlreadySent(Exchange exchange) {
        return jobs.get(exchange.getProperty(SID, String.class)).welcomeMailSentAt != null;
    }

    public void welcomeSent(Exchange exchange) {
        String sid = exchange.getProperty(SID, String.class);
        Job job = jobs.update(sid, j -> {
            j.welcomeMailSentAt = Instant.now();
            j.retry = null;
        });
        // Retries told the app "the mail server unavailable, retrying"; the mail is out: show the job
        // as Metis has it again (unless something newer, such as the result, replaced that status).
        if (job.status != null && job.status.code == StatusCode.Processing && job.pbsId != null
                && job.status.value != null && job.status.value.startsWith(Failures.peer("4-notify") + " unavailable")) {
            setStatus(job, StatusCode.Processing, submittedValue(job.pbsId));
        }
        LOG.info(Subsystem.MAIL, "job {} for uid {}: welcome mail sent ({} ms)", job.jobId, job.uid, elapsed(exchange));
    }

    /** The file consumer moves the ticket on to {@code next} when this exchange is done: wake that stage then. */
    public void finished(Exchange exchange, String next) {
        if (wakeups != null) {
            wakeups.wakeWhenDone(exchange, next);
        }
    }

    // shared -----------------------------------------------------------------------------------

    /** Sets the status in the store and in job.json (the history lives in job.json). */
    public void setStatus(Job job, StatusCode code, String value) {
        requireJobId(job);
        store.setStatus(job.uid, job.jobId, code, value);
        jobs.update(job.submissionId, j -> j.setStatus(code, value, Instant.now()));
    }

    public JobRepository jobs() {
        return jobs;
    }

    public JobStore store() {
        return store;
    }

    public static String objectKey(Job job, String name) {
        requireJobId(job);
        return job.uid + "/" + job.jobId + "/" + name;
    }

    private static void requireJobId(Job job) {
        if (job.jobId == null) {
            throw new MalformedJobException("submission " + job.submissionId + " reached a later stage without a job id");
        }
    }

    static long elapsed(Exchange exchange) {
        Long started = exchange.getProperty("startedNanos", Long.class);
        return started == null ? 0 : Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
