package edu.niu.igait.stages;

import java.time.Duration;
import java.time.Instant;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.failure.NotYet;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.logging.JobFields;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retries of a stage whose peer fails for a while ({@code routes/errors.yaml}): a stage is tried
 * again until {@code igait.retry.give-up-after} has passed since its first failure, which the ticket
 * keeps (so a restart does not reset the clock). Before each new attempt the ticket notes it, the log
 * says it, and the app shows what is retried ({@code S3 unavailable, retrying}).
 */
public class Retries implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");
    /** The exchange property of the stage's give-up policy (routes/stage.yaml). */
    static final String ON_GIVE_UP = "onGiveUp";

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final Duration giveUpAfter;
    private final StageEvents events;
    private final ContributionStatus contributions;

    public Retries(JobRepository jobs, JobStatus status, ContributionStatus contributions, StatusTexts texts, Duration giveUpAfter,
                   StageEvents events) {
        this.jobs = jobs;
        this.status = status;
        this.contributions = contributions;
        this.texts = texts;
        this.giveUpAfter = giveUpAfter;
        this.events = events;
    }

    /** The {@code retryWhile} predicate: within the give-up time since the stage first failed. */
    public boolean withinGiveUp(Ticket ticket) {
        if (ticket == null) {
            // The ticket could not even be opened: there is nothing to retry with.
            return false;
        }
        Instant since = ticket.retry != null && ticket.stage.equals(ticket.retry.stage) ? ticket.retry.since : Instant.now();
        return Duration.between(since, Instant.now()).compareTo(giveUpAfter) < 0;
    }

    /**
     * The {@code onRedelivery} processor, just before the stage's steps run again: notes the attempt,
     * and shows the app what is retried. A service that is stopping runs no more attempts: the job is
     * given up for this run ({@link StageAbandoned}), its ticket stays where it is for the next start.
     */
    @Override
    public void process(Exchange exchange) {
        Ticket ticket = exchange.getProperty(Tickets.PROPERTY, Ticket.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (ticket == null) {
            return;
        }
        CamelContext context = exchange.getContext();
        if (context.isStopping() || context.isStopped()) {
            // No redelivery, and a failed exchange: the file consumer leaves the ticket in its folder.
            exchange.setException(new StageAbandoned(ticket.stage));
            exchange.setRouteStop(true);
            return;
        }
        // Outside the route's steps (the error handler calls it): the job's log fields for this call only.
        try (JobFields.Scope fields = Tickets.fields(ticket)) {
            retry(ticket, error, DeadLetter.NOTE.equals(exchange.getProperty(ON_GIVE_UP, String.class)));
        }
        ticket.attemptNanos = System.nanoTime();
    }

    /**
     * @param sideEffect the stage's give-up policy is note (a side effect after Metis took the job): the
     *                   status the app shows is not the stage's to change, so the retries are noted in
     *                   the history, once, instead
     */
    private void retry(Ticket ticket, Throwable error, boolean sideEffect) {
        // A stage that waits for other work (failure.NotYet) blames no peer: none's health or metrics.
        String peer = NotYet.in(error) ? null : Errors.peer(error).orElse(ticket.peer);
        events.retried(ticket, peer, error);
        if (ticket.retry == null || !ticket.stage.equals(ticket.retry.stage)) {
            ticket.retry = new Ticket.Retry();
            ticket.retry.stage = ticket.stage;
            ticket.retry.since = Instant.now();
        }
        ticket.retry.attempts++;
        ticket.retry.lastError = Errors.summary(error);
        try {
            jobs.saveTicket(ticket);
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot note the retry in the ticket: {}", ticket, Errors.summary(e));
        }
        LOG.warn(Subsystem.forPeer(peer), "{}: {} failed ({}), retry {}", ticket, ticket.stage, Errors.summary(error),
                ticket.retry.attempts);
        String value = texts.retrying(texts.unavailable(peer));
        switch (ticket.kind()) {
            case UPLOAD -> {
                if (ticket.jobId != null) {
                    showJob(ticket, value, sideEffect);
                }
            }
            case CONTRIBUTION -> {
                if (!sideEffect) {
                    showContribution(ticket, value);
                }
            }
            // A job not yet recorded has no status to show; a completion's job may already show its result; a
            // history request has none; a withdrawal's status says so until it is done.
            case COMPLETION, HISTORY, WITHDRAWAL -> { }
        }
    }

    /** The contribution keeps its code (Received, Stored) and says what it waits for. */
    private void showContribution(Ticket ticket, String value) {
        try {
            jobs.findContribution(ticket.contribution.id).filter(c -> c.status != null && !value.equals(c.status.value))
                    .ifPresent(c -> contributions.set(c.contributionId, c.status.code, value, null));
        } catch (RuntimeException e) {
            LOG.debug("{}: status not updated while retrying: {}", ticket, Errors.summary(e));
        }
    }

    private void showJob(Ticket ticket, String value, boolean sideEffect) {
        try {
            Job job = jobs.get(ticket.submissionId);
            if (job.hasFinalStatus() || sideEffect) {
                // The result (or the status a side-effect stage leaves alone) stays what the app shows; what
                // is retried goes into the history, once.
                if (ticket.retry.attempts == 1) {
                    status.note(ticket.submissionId, value, ticket.stage);
                }
            } else if (job.status == null || !value.equals(job.status.value)) {
                status.set(ticket.submissionId, job.status == null ? edu.niu.igait.job.StatusCode.Submitting : job.status.code,
                        value, ticket.stage);
            }
        } catch (RuntimeException e) {
            // The job store may be the peer that is down; the stage still retries.
            LOG.debug("{}: status not updated while retrying: {}", ticket, Errors.summary(e));
        }
    }
}
