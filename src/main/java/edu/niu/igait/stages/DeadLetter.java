package edu.niu.igait.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.OperatorAlerts;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.TypeConversionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the route {@code stage-failed}, for a stage that failed for good (a permanent error, a
 * mistake in a route, or out of retries): the reason in plain words; what the stage's give-up policy
 * (the template's {@code onGiveUp}) does to the job: {@code fail}, status {@code SubmissionErr} with the
 * reason (unless the job already shows its result), the status it had kept to be shown again when the
 * ticket is moved back; or {@code note}, the status stays and the history notes the failure (a stage
 * whose work is a side effect, after Metis took the job); job.json's note of where and why; the ticket
 * moved to {@code data/failed/<stage>/} without its retries (moved back, it starts afresh); the
 * operator told (grouped with the others of the same window).
 */
public class DeadLetter {

    /** The give-up policies a stage may declare (routes/stage.yaml, parameter onGiveUp). */
    public static final String FAIL = "fail";
    public static final String NOTE = "note";
    /** The reason of a failure routes/errors.yaml finds to be a mistake in a route. */
    public static final String ROUTE_ERROR = "route error";

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final OperatorAlerts alerts;
    private final StageEvents events;
    private final StageFolders folders;
    private final ContributionStatus contributions;

    public DeadLetter(JobRepository jobs, JobStatus status, ContributionStatus contributions, StatusTexts texts, OperatorAlerts alerts,
                      StageEvents events, StageFolders folders) {
        this.jobs = jobs;
        this.status = status;
        this.contributions = contributions;
        this.texts = texts;
        this.alerts = alerts;
        this.events = events;
        this.folders = folders;
    }

    /**
     * Why the stage failed: "route error" when routes/errors.yaml found a mistake in a route (its
     * {@code failure}), a refusal's own words, or the peer that stayed unavailable.
     */
    public String reason(Throwable error, String peer, String failure) {
        if (ROUTE_ERROR.equals(failure)) {
            return ROUTE_ERROR;
        }
        return Errors.permanentReason(error).orElseGet(() -> texts.unavailable(Errors.peer(error).orElse(peer)));
    }

    /** The job's status (or its note) and job.json, as the stage's give-up policy says; the log line. */
    public void fail(Ticket ticket, String stage, String reason, Throwable error, String onGiveUp, Object failedStep) {
        boolean routeError = ROUTE_ERROR.equals(reason);
        if (ticket != null) {
            Tickets.mdc(ticket);
        }
        String peer = Errors.peer(error).orElse(ticket == null ? null : ticket.peer);
        events.failed(ticket, stage, peer, error, routeError);
        String who = ticket == null ? "a ticket" : ticket.toString();
        if (routeError) {
            LOG.error("{}: {} failed for good: route error in {}: {} (fix the route, restart, and move the ticket back)", who, stage,
                    failedStep == null ? "a step" : failedStep, summary(error));
        } else {
            LOG.error(Subsystem.forPeer(peer), "{}: {} failed for good: {} ({}){}", who, stage, reason, Errors.summary(error),
                    NOTE.equals(onGiveUp) ? "; its status stays (onGiveUp: note)" : "");
        }
        if (ticket == null) {
            return;
        }
        switch (ticket.kind()) {
            case UPLOAD -> failJob(ticket, stage, reason, error, onGiveUp, routeError);
            case CONTRIBUTION -> failContribution(ticket, reason, onGiveUp);
            // A withdrawal's status says so while its ticket waits in failed/ (the status endpoint reads where it is);
            // a completion's job and a history request have no status of their own here.
            case WITHDRAWAL, COMPLETION, HISTORY -> { }
        }
    }

    /** A contribution that could not be stored shows Failed with the reason; a later stage's failure (the thank-you mail) is only logged. */
    private void failContribution(Ticket ticket, String reason, String onGiveUp) {
        if (NOTE.equals(onGiveUp)) {
            return;
        }
        try {
            if (jobs.findContribution(ticket.contribution.id).isPresent()) {
                contributions.set(ticket.contribution.id, edu.niu.igait.job.Contribution.Code.Failed,
                        texts.contribution(edu.niu.igait.job.Contribution.Code.Failed, reason), c -> c.failureReason = reason);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: the failure not recorded in its status: {}", ticket, Errors.summary(e));
        }
    }

    private void failJob(Ticket ticket, String stage, String reason, Throwable error, String onGiveUp, boolean routeError) {
        try {
            if (NOTE.equals(onGiveUp)) {
                jobs.update(ticket.submissionId, j -> {
                    j.stage = JobRepository.FAILED + "/" + stage;
                    j.failureReason = reason;
                });
                status.note(ticket.submissionId, texts.stageFailed(stage, reason), stage);
                return;
            }
            Optional<String> permanent = routeError ? Optional.of(reason) : Errors.permanentReason(error);
            String value = permanent.isPresent() ? texts.failed(reason) : texts.gaveUp(reason);
            jobs.update(ticket.submissionId, j -> {
                j.stage = JobRepository.FAILED + "/" + stage;
                j.failureReason = reason;
                // What to show again when the ticket is moved back (Tickets.resume): the status before this failure.
                if (j.status != null && j.status.code != null && !j.status.code.isFinal() && j.status.code != StatusCode.SubmissionErr) {
                    j.statusBeforeFailure = new Job.Status(j.status.code, j.status.value);
                }
            });
            status.set(ticket.submissionId, StatusCode.SubmissionErr, value, stage);
        } catch (RuntimeException e) {
            LOG.error("{}: the failure not recorded in its status: {}", ticket, Errors.summary(e));
        }
    }

    /** The ticket to data/failed/<stage>/, without its retries. */
    public void moveToFailed(Ticket ticket, String stage, String path) {
        try {
            if (ticket != null) {
                if (ticket.retry != null) {
                    ticket.retry = null;
                    jobs.writeTicketAsIs(ticket);
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

    /**
     * One line for the operator's next alert: the ids, the reason (for a mistake in a route, the route,
     * file and step), and how to retry: the folder to move the ticket back into, when a route reads it.
     */
    public void alert(Ticket ticket, String stage, String reason, Throwable error, Object failedStep) {
        String who = ticket == null ? "a ticket that could not be read"
                : ticket + (ticket.kind() == Ticket.Kind.UPLOAD ? " (submission " + ticket.submissionId + ")" : " (ticket " + ticket.name() + ")");
        boolean routeError = ROUTE_ERROR.equals(reason);
        OperatorAlerts.Kind kind = routeError ? OperatorAlerts.ROUTE_ERRORS : ticket == null ? OperatorAlerts.FAILED_JOBS : switch (ticket.kind()) {
            case UPLOAD -> OperatorAlerts.FAILED_JOBS;
            case COMPLETION -> OperatorAlerts.FAILED_RESULTS;
            case HISTORY -> OperatorAlerts.FAILED_HISTORY;
            case CONTRIBUTION, WITHDRAWAL -> OperatorAlerts.FAILED_CONTRIBUTIONS;
        };
        String what = routeError ? reason + " in " + (failedStep == null ? "a step" : failedStep) + ": " + summary(error) : reason;
        alerts.note(kind, who + ": " + stage + ": " + what + "; " + retry(ticket, stage));
    }

    /** How to retry a failed ticket: where to move it back, if a route reads that folder now. */
    private String retry(Ticket ticket, String stage) {
        String name = ticket == null || ticket.file == null ? "<ticket>" : ticket.file.getFileName().toString();
        String failed = folders.display(jobs.failedDir(stage)) + name;
        String folder = folders.display(jobs.stageDir(stage));
        if (folders.isRead(stage)) {
            return "to retry, move " + failed + " back to " + folder;
        }
        return "no route reads " + folder + " now: " + failed + " waits there until a stage that reads it is back";
    }

    /**
     * A mistake in a route, in one line: the error's type and message, except for a conversion, whose
     * message quotes the value (which may be a job's data): there the types alone.
     */
    static String summary(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NoTypeConversionAvailableException n) {
                return "NoTypeConversionAvailableException: no conversion from " + name(n.getFromType()) + " to " + name(n.getToType());
            }
            if (t instanceof TypeConversionException c) {
                return "TypeConversionException: converting " + name(c.getFromType()) + " to " + name(c.getToType()) + " failed";
            }
        }
        return Errors.summary(error);
    }

    private static String name(Class<?> type) {
        return type == null ? "null" : type.getName();
    }
}
