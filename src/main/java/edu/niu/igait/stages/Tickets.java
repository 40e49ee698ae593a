package edu.niu.igait.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.ContributionRef;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.JobView;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.job.Uid;
import edu.niu.igait.logging.JobFields;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage does with its ticket before and after its own steps (the stage template,
 * {@code routes/stage.yaml}): opens it (the upload's job, or the completion it carries), shows a job
 * moved back from {@code failed/} with the status it had before, gives the steps a view of the job
 * they may read ({@link JobView}), and once the steps succeeded, clears the retries it noted; the file
 * consumer then moves it on.
 */
public class Tickets {

    /** The exchange property that holds the opened ticket, for every step of the stage. */
    public static final String PROPERTY = "ticket";

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final CamelContext context;
    private final JobStatus status;
    private final StageEvents events;

    public Tickets(JobRepository jobs, CamelContext context, JobStatus status, StageEvents events) {
        this.jobs = jobs;
        this.context = context;
        this.status = status;
        this.events = events;
    }

    /**
     * Reads the ticket the stage's file consumer took, of whatever kind ({@link Ticket.Kind}). A service that is stopping starts no new work:
     * the ticket stays in its folder for the next start ({@link StageAbandoned}).
     */
    /**
     * Whether the ticket at {@code path} has left its folder since the poll that listed it: the file
     * consumer's poll can list a ticket just before the exchange that had it moves it on, and take it again
     * once that exchange is over. Such a second exchange has nothing to do, and is no failure.
     */
    public boolean gone(String path) {
        if (Files.exists(Path.of(path))) {
            return false;
        }
        LOG.debug("ticket {} was already taken and moved on: nothing to do", Path.of(path).getFileName());
        return true;
    }

    public Ticket open(String path, String stage, String peer) {
        if (context.isStopping() || context.isStopped()) {
            throw new StageAbandoned(stage);
        }
        Path file = Path.of(path);
        Ticket ticket = jobs.readTicket(file);
        ticket.stage = stage;
        ticket.peer = peer;
        ticket.openedNanos = System.nanoTime();
        ticket.attemptNanos = ticket.openedNanos;
        String name = file.getFileName().toString();
        switch (ticket.kind()) {
            case UPLOAD -> {
                if (!SubmissionId.isValid(ticket.submissionId) || !ticket.submissionId.equals(name)) {
                    throw new MalformedJob("ticket " + name + " does not name its submission");
                }
                Job job = jobs.find(ticket.submissionId).orElseThrow(() -> new MalformedJob("ticket " + name + " has no job folder"));
                ticket.uid = job.uid;
                ticket.jobId = job.jobId;
                // A job moved back from failed/ keeps that mark until resume() has shown its status again.
                if (!stage.equals(job.stage) && (job.stage == null || !job.stage.startsWith(JobRepository.FAILED + "/"))) {
                    jobs.update(ticket.submissionId, j -> j.stage = stage);
                }
            }
            case HISTORY -> {
                if (!Uid.isValid(ticket.history.uid) || ticket.history.receivedAt == null || ticket.history.reportSeconds <= 0) {
                    throw new MalformedJob("history request ticket " + name + " is incomplete");
                }
                ticket.uid = ticket.history.uid;
            }
            // The record is the contribution's stages' own to read: a withdrawn contribution has none any more.
            case CONTRIBUTION -> ticket.uid = contributor(ticket.contribution, name, () -> Ticket.contributionName(ticket.contribution.id));
            case WITHDRAWAL -> ticket.uid = contributor(ticket.withdrawal, name, () -> Ticket.withdrawalName(ticket.withdrawal.id));
            case COMPLETION -> {
                if (!Uid.isValid(ticket.completionUid) || ticket.completionJobId == null || ticket.completionJobId < 0
                        || !("OK".equals(ticket.statusCode) || "ERR".equals(ticket.statusCode)) || ticket.statusContent == null) {
                    throw new MalformedJob("completion ticket " + name + " is incomplete");
                }
                ticket.uid = ticket.completionUid;
                ticket.jobId = ticket.completionJobId;
            }
        }
        mdc(ticket);
        return ticket;
    }

    /** The uid of a contribution's or withdrawal's ticket, whose file must be named after the contribution it names. */
    private static String contributor(ContributionRef ref, String name, java.util.function.Supplier<String> expected) {
        if (!Contribution.isValidId(ref.id) || !Uid.isValid(ref.uid) || !name.equals(expected.get())) {
            throw new MalformedJob("ticket " + name + " does not name its contribution");
        }
        return ref.uid;
    }

    /**
     * A job whose ticket was moved back from {@code failed/<stage>/} (the documented retry) shows again
     * the status it had before that stage failed it, and is in the stage again.
     */
    public void resume(Ticket ticket) {
        if (ticket.kind() != Ticket.Kind.UPLOAD) {
            return;
        }
        Job job = jobs.get(ticket.submissionId);
        if (job.stage == null || !job.stage.startsWith(JobRepository.FAILED + "/")) {
            return;
        }
        Job.Status before = job.statusBeforeFailure;
        if (before == null || before.code == null) {
            jobs.update(ticket.submissionId, j -> j.stage = ticket.stage);
            LOG.info("{}: moved back from {} to {}", ticket, job.stage, ticket.stage);
            return;
        }
        status.set(ticket.submissionId, before.code, before.value, ticket.stage, j -> {
            j.stage = ticket.stage;
            j.statusBeforeFailure = null;
            j.failureReason = null;
        });
        LOG.info("{}: moved back from {} to {}, status {} again", ticket, job.stage, ticket.stage, before.code);
    }

    /** What the stage's steps may read of the ticket's job (the exchange property {@code job}). */
    public JobView view(Ticket ticket) {
        return new JobView(jobs, ticket.submissionId, ticket.uid, ticket.jobId, ticket.stage);
    }

    /**
     * As {@link #passed(Ticket)}, and makes the folder the ticket moves to next ({@code next}, relative to
     * {@code data/stages}, as the stage template's {@code move} has it: another stage, {@code ../done},
     * {@code ../done/5-complete}) if it is not there yet, with the data folder's mode (0700); the file
     * consumer would make it with the umask's.
     */
    public void passed(Ticket ticket, String next) {
        try {
            Path stages = ticket.file.toAbsolutePath().getParent().getParent();
            edu.niu.igait.job.DurableFiles.createDirectories(stages.resolve(next).normalize());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make the folder " + next + " the ticket moves to", e);
        }
        passed(ticket);
    }

    /** The stage's steps succeeded: the ticket forgets its retries before it moves on. */
    public void passed(Ticket ticket) {
        if (ticket.retry != null) {
            ticket.retry = null;
            jobs.saveTicket(ticket);
        }
        events.passed(ticket, Duration.ofNanos(System.nanoTime() - (ticket.attemptNanos == 0 ? ticket.openedNanos : ticket.attemptNanos)));
    }

    /** How long the stage has worked on the ticket. */
    public static Duration elapsed(Ticket ticket) {
        return ticket.openedNanos == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - ticket.openedNanos);
    }

    /**
     * The job's ids as log fields (sid, uid, jobId, stage; never medical data), for the rest of the
     * route step that calls this (logging.ExchangeMdc puts the exchange's own back when the step ends).
     */
    static void mdc(Ticket ticket) {
        fields(ticket);
    }

    /** The job's ids as log fields until the scope closes: for code that runs outside a route step. */
    static JobFields.Scope fields(Ticket ticket) {
        return JobFields.put(ticket.submissionId, ticket.uid, ticket.jobId, ticket.stage);
    }
}
