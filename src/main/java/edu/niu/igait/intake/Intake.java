package edu.niu.igait.intake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.JobFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persist first, answer second: the videos are renamed out of the server's temp folder into the job
 * folder, job.json is written, all of it fsync'd, and the ticket is written last. A crash before the
 * ticket leaves an orphan that start-up removes; after it, the job is safe.
 */
public class Intake {

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");

    private final JobRepository jobs;
    private final String receivedStatus;

    /** @param receivedStatus the status value of a job just received (igait.status.recording) */
    public Intake(JobRepository jobs, String receivedStatus) {
        this.jobs = jobs;
        this.receivedStatus = receivedStatus;
    }

    /** Stores the upload as a job and hands its ticket to {@code stage} (the first stage, as routes/intake.yaml says). */
    public Job persist(Upload upload, String stage) {
        long started = System.nanoTime();
        String sid = SubmissionId.next();
        Path dir = jobs.jobDir(sid);
        Instant now = Instant.now();
        Job job = new Job();
        job.submissionId = sid;
        job.uid = upload.uid();
        job.age = upload.age();
        job.ethnicity = upload.ethnicity();
        job.sex = upload.sex();
        job.height = upload.height();
        job.weight = upload.weight();
        job.email = upload.email();
        job.front = new Job.Video(upload.front().ext(), upload.front().bytes());
        job.side = new Job.Video(upload.side().ext(), upload.side().bytes());
        job.submittedAt = now;
        job.stage = stage;
        job.setStatus(StatusCode.Submitting, receivedStatus, now);
        keep(dir, upload.front(), upload.side(), () -> jobs.save(job), () -> {
            Ticket ticket = new Ticket();
            ticket.submissionId = sid;
            jobs.writeTicket(stage, sid, ticket);
        });
        long mb = (upload.front().bytes() + upload.side().bytes()) / (1024 * 1024);
        // The job's ids as log fields for the rest of this route step (logging.ExchangeMdc restores them after it).
        JobFields.put(sid, upload.uid(), null, null);
        LOG.info(edu.niu.igait.logging.Subsystem.INTAKE, "submission {} for uid {}: accepted, 2 videos ({} MB) stored in {} ms", sid, upload.uid(), mb,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return job;
    }

    /** The 202 body. */
    public Map<String, Object> accepted(Job job) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submissionId", job.submissionId);
        body.put("uid", job.uid);
        body.put("status", job.status.code.name());
        body.put("statusUrl", "/api/v1/submissions/" + job.submissionId);
        return body;
    }

    /** One write of {@link #keep}. */
    @FunctionalInterface
    public interface Write {
        void run() throws IOException;
    }

    /**
     * Persist first, answer second, for every form that carries videos (an upload, a research
     * contribution): the two videos renamed out of the upload folder into the new folder {@code dir} as
     * {@code front.<ext>} and {@code side.<ext>}, the record written, all of it fsync'd, and the ticket
     * written last. A crash before the ticket leaves an orphan that start-up removes; a failure here
     * removes the folder.
     */
    public static void keep(Path dir, Upload.Part front, Upload.Part side, Write record, Write ticket) {
        try {
            DurableFiles.createDirectories(dir);
            moveVideo(front, dir.resolve("front." + front.ext()));
            moveVideo(side, dir.resolve("side." + side.ext()));
            record.run();
            DurableFiles.syncDirectory(dir);
            DurableFiles.syncDirectory(dir.getParent());
            ticket.run();
        } catch (IOException | RuntimeException e) {
            try {
                DurableFiles.deleteTree(dir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot store " + dir.getFileName(), io) : (RuntimeException) e;
        }
    }

    private static void moveVideo(Upload.Part part, Path target) throws IOException {
        // Same filesystem as data/: a rename, not a copy, and the bytes are already on disk.
        DurableFiles.syncFile(part.tempFile());
        DurableFiles.move(part.tempFile(), target);
    }
}
