package edu.niu.igait.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.s3.StoredObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2-store: what goes to S3 under {@code <uid>/<jobId>/} (the videos from local disk, and
 * {@code extensions.json}), the check of what S3 holds, then status Queue and the local copies go.
 * Fixed keys: a repeated PUT is harmless.
 */
public class StoreStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final StoredObjects stored;

    public StoreStage(JobRepository jobs, JobStatus status, StatusTexts texts, StoredObjects stored) {
        this.jobs = jobs;
        this.status = status;
        this.texts = texts;
        this.stored = stored;
    }

    /** The videos still on local disk, each as {@code key}, {@code file}, {@code bytes}. */
    public List<Map<String, Object>> videos(Ticket ticket) {
        Job job = jobs.get(ticket.submissionId);
        List<Map<String, Object>> puts = new ArrayList<>();
        for (String side : List.of("front", "side")) {
            Job.Video video = "front".equals(side) ? job.front : job.side;
            Path file = jobs.jobDir(job.submissionId).resolve(video.fileName(side));
            if (Files.exists(file)) {
                Map<String, Object> put = new LinkedHashMap<>();
                put.put("key", key(job, video.fileName(side)));
                put.put("file", file.toFile());
                put.put("bytes", video.bytes);
                puts.add(put);
            } else if (job.videosDeletedAt == null) {
                throw new MalformedJob("the " + side + " video of submission " + job.submissionId + " is missing from disk");
            }
        }
        return puts;
    }

    public String extensionsKey(Ticket ticket) {
        return key(jobs.get(ticket.submissionId), "extensions.json");
    }

    /** {@code {"front":"<ext>","side":"<ext>"}}: Metis reads the videos' extensions from it. */
    public String extensionsJson(Ticket ticket) {
        Job job = jobs.get(ticket.submissionId);
        return "{\"front\":\"" + job.front.ext + "\",\"side\":\"" + job.side.ext + "\"}";
    }

    /** Each video is in S3 with the size it has on disk (a size found wrong sends the stage round again). */
    public void verify(Ticket ticket) throws IOException {
        Job job = jobs.get(ticket.submissionId);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put(key(job, job.front.fileName("front")), job.front.bytes);
        expected.put(key(job, job.side.fileName("side")), job.side.bytes);
        stored.verify(expected);
    }

    /** The videos are in S3 and checked: status Queue, and the local copies go. */
    public void stored(Ticket ticket) {
        String sid = ticket.submissionId;
        // Noted before deleting (in the status's write of job.json): a crash in between must find the
        // videos in S3, not call them lost.
        Job job = status.set(sid, StatusCode.Queue, texts.queued(), ticket.stage, j -> {
            if (j.videosDeletedAt == null) {
                j.videosDeletedAt = Instant.now();
            }
        });
        try {
            Files.deleteIfExists(jobs.jobDir(sid).resolve(job.front.fileName("front")));
            Files.deleteIfExists(jobs.jobDir(sid).resolve(job.side.fileName("side")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local videos of " + sid, e);
        }
        long mb = (job.front.bytes + job.side.bytes) / (1024 * 1024);
        LOG.info(Subsystem.S3, "{}: stored in S3 (2 files, {} MB, {} ms)", ticket, mb, Tickets.elapsed(ticket).toMillis());
    }

    static String key(Job job, String name) {
        if (job.jobId == null) {
            throw new MalformedJob("submission " + job.submissionId + " reached stage 2 without a job id");
        }
        return job.uid + "/" + job.jobId + "/" + name;
    }
}
