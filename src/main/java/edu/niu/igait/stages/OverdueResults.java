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
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A result from Metis is never lost in silence: a job in Processing for longer than
 * {@code igait.metis.result-timeout} gets one operator alert (grouped with the others) naming it and
 * its PBS id, and its status value says the result is late. A late result still completes it.
 *
 * <p>Each replica looks at the jobs its own data folder holds. The result of one of them may have been
 * applied by another replica (Metis's call went there): before a job is called overdue, the job store
 * is asked, and a result found there is shown in job.json instead.
 */
public class OverdueResults {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStore store;
    private final JobStatus status;
    private final StatusTexts texts;
    private final OperatorAlerts alerts;
    private final Duration timeout;

    public OverdueResults(JobRepository jobs, JobStore store, JobStatus status, StatusTexts texts, OperatorAlerts alerts,
                          Duration timeout) {
        this.jobs = jobs;
        this.store = store;
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
        if (appliedElsewhere(sid, job)) {
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

    /** The job store holds a result for the job (another replica's stage 5 applied it): job.json shows it now. */
    private boolean appliedElsewhere(String sid, Job job) {
        java.util.Map<String, Object> stored = store.job(job.uid, job.jobId).orElse(null);
        java.util.Map<String, Object> record = stored == null ? null : CompleteStage.map(stored.get("completion"));
        if (record == null || !(record.get("status_code") instanceof String code) || !(record.get("status_content") instanceof String content)) {
            return false;
        }
        Instant mailed = record.get("mailed_at") instanceof String at ? Instant.parse(at) : null;
        CompleteStage.showResult(jobs, texts, sid, code, content, mailed, "5-complete");
        LOG.info(Subsystem.FIREBASE, "job {} for uid {}: its result ({}) was applied by replica {}", job.jobId, job.uid, code,
                record.get("mail_claim") instanceof String claim ? claim.substring(0, Math.max(0, claim.indexOf('/'))) : "unknown");
        return true;
    }
}
