package edu.niu.igait.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.OperatorAlerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A result from Metis is never lost in silence: a job in Processing for longer than
 * {@code igait.metis.result-timeout} gets one operator alert (grouped with the others) naming it and
 * its PBS id, and its status value says the result is late. A late result still completes it.
 */
public class OverdueResults {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final OperatorAlerts alerts;
    private final Duration timeout;

    public OverdueResults(JobRepository jobs, JobStatus status, StatusTexts texts, OperatorAlerts alerts, Duration timeout) {
        this.jobs = jobs;
        this.status = status;
        this.texts = texts;
        this.alerts = alerts;
        this.timeout = timeout;
    }

    /** Looks at every job Metis has; returns how many were found overdue this time. */
    public int check() {
        int found = 0;
        try (Stream<Path> dirs = Files.list(jobs.jobsDir())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String sid = dir.getFileName().toString();
                if (!SubmissionId.isValid(sid)) {
                    continue;
                }
                try {
                    if (overdue(sid)) {
                        found++;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("submission {}: cannot check whether its result is overdue: {}", sid, Errors.summary(e));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobs.jobsDir(), e);
        }
        return found;
    }

    private boolean overdue(String sid) {
        Job job = jobs.find(sid).orElse(null);
        if (job == null || job.pbsId == null || job.metisSubmittedAt == null || job.overdueReportedAt != null
                || job.completion != null || job.status == null || job.status.code != StatusCode.Processing
                || Duration.between(job.metisSubmittedAt, Instant.now()).compareTo(timeout) < 0) {
            return false;
        }
        String waited = CompleteStage.human(timeout);
        jobs.update(sid, j -> j.overdueReportedAt = Instant.now());
        status.set(sid, StatusCode.Processing, texts.resultOverdue(job.pbsId, waited), "3-submit");
        LOG.warn(Subsystem.METIS, "job {} for uid {}: no result from Metis for PBS job {} after {}", job.jobId, job.uid,
                job.pbsId, waited);
        alerts.note(OperatorAlerts.OVERDUE_RESULTS, "job " + job.jobId + " for uid " + job.uid + " (submission " + sid
                + "): PBS job " + job.pbsId + ", submitted " + job.metisSubmittedAt + ", no result after " + waited);
        return true;
    }
}
