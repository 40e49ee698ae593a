package edu.niu.igait.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.OperatorAlerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the route {@code stage-failed}, for a stage that failed for good (a permanent error, or
 * out of retries): the reason in plain words; the job's status {@code SubmissionErr} with it (unless
 * the job already shows its result) and job.json's note of where and why; the ticket moved to
 * {@code data/failed/<stage>/} without its retries (moved back, it starts afresh); the operator told
 * (grouped with the others of the same window).
 */
public class DeadLetter {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final OperatorAlerts alerts;
    private final StageEvents events;

    public DeadLetter(JobRepository jobs, JobStatus status, StatusTexts texts, OperatorAlerts alerts) {
        this(jobs, status, texts, alerts, StageEvents.NONE);
    }

    public DeadLetter(JobRepository jobs, JobStatus status, StatusTexts texts, OperatorAlerts alerts, StageEvents events) {
        this.jobs = jobs;
        this.status = status;
        this.texts = texts;
        this.alerts = alerts;
        this.events = events;
    }

    /** Why the stage failed: a refusal's own words, or the peer that stayed unavailable. */
    public String reason(Throwable error, String peer) {
        return Errors.permanentReason(error).orElseGet(() -> texts.unavailable(Errors.peer(error).orElse(peer)));
    }

    /** The job's status and job.json; the log line. */
    public void fail(Ticket ticket, String stage, String reason, Throwable error) {
        Optional<String> permanent = Errors.permanentReason(error);
        String value = permanent.isPresent() ? texts.failed(reason) : texts.gaveUp(reason);
        if (ticket != null) {
            Tickets.mdc(ticket);
        }
        events.failed(ticket, stage, Errors.peer(error).orElse(ticket == null ? null : ticket.peer), error);
        LOG.error(Subsystem.forPeer(Errors.peer(error).orElse(ticket == null ? null : ticket.peer)), "{}: {} failed for good: {} ({})",
                ticket == null ? "a ticket" : ticket, stage, reason, Errors.summary(error));
        if (ticket == null || !ticket.isUpload()) {
            return;
        }
        try {
            jobs.update(ticket.submissionId, j -> {
                j.stage = JobRepository.FAILED + "/" + stage;
                j.failureReason = reason;
            });
            status.set(ticket.submissionId, StatusCode.SubmissionErr, value, stage);
        } catch (RuntimeException e) {
            LOG.error("{}: status SubmissionErr not recorded: {}", ticket, Errors.summary(e));
        }
    }

    /** The ticket to data/failed/<stage>/, without its retries. */
    public void moveToFailed(Ticket ticket, String stage, String path) {
        try {
            if (ticket != null) {
                if (ticket.retry != null) {
                    ticket.retry = null;
                    jobs.saveTicket(ticket);
                }
                jobs.moveTicket(ticket, jobs.failedDir(stage));
            } else {
                Path file = Path.of(path);
                Path target = jobs.failedDir(stage).resolve(file.getFileName());
                DurableFiles.createDirectories(target.getParent());
                DurableFiles.move(file, target);
            }
        } catch (Exception e) {
            LOG.error("ticket {}: cannot move it to {}: {}", path == null ? ticket : Path.of(path).getFileName(), jobs.failedDir(stage),
                    Errors.summary(e));
        }
    }

    /** One line for the operator's next alert: the ids and the reason. */
    public void alert(Ticket ticket, String stage, String reason) {
        String who = ticket == null ? "a ticket that could not be read"
                : ticket + (ticket.isUpload() ? " (submission " + ticket.submissionId + ")" : " (ticket " + ticket.name() + ")");
        OperatorAlerts.Kind kind = ticket == null || ticket.isUpload() ? OperatorAlerts.FAILED_JOBS
                : ticket.isHistoryRequest() ? OperatorAlerts.FAILED_HISTORY : OperatorAlerts.FAILED_RESULTS;
        alerts.note(kind, who + ": " + stage + ": " + reason);
    }
}
