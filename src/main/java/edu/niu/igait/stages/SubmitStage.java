package edu.niu.igait.stages;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.metis.MetisCommand;
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 3-submit: the job goes to Metis once. The PBS id Metis answered is recorded, and a job with
 * one is never submitted again. A qsub whose answer never came (a time-out, a dropped session, a
 * crash before the id was saved) may still have started a PBS job: before sending it again, the
 * stage asks PBS whether it has a job of that name, and its answer decides.
 */
public class SubmitStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStore store;
    private final JobStatus status;
    private final StatusTexts texts;
    private final MetisCommand commands;

    public SubmitStage(JobRepository jobs, JobStore store, JobStatus status, StatusTexts texts, MetisCommand commands) {
        this.jobs = jobs;
        this.store = store;
        this.status = status;
        this.texts = texts;
        this.commands = commands;
    }

    /** Metis already took this job (its PBS id is recorded). */
    public boolean alreadySubmitted(Ticket ticket) {
        return jobs.get(ticket.submissionId).pbsId != null;
    }

    /** A qsub was sent before and its answer never came: whether PBS took it is unknown. */
    public boolean outcomeUnknown(Ticket ticket) {
        Job job = jobs.get(ticket.submissionId);
        return job.pbsId == null && job.submitSentAt != null;
    }

    /** The command that asks PBS whether it has this job. */
    public String checkCommand(Ticket ticket) {
        return commands.check(ticket.uid, ticket.jobId);
    }

    /** PBS's answer to the check: a job it has is recorded as this job's; none means the qsub is sent (again). */
    public void checked(Ticket ticket, Integer exit, Object stdout, Object stderr) throws IOException {
        Optional<String> existing = commands.existing(exit, stdout, stderr);
        if (existing.isPresent()) {
            LOG.info(Subsystem.METIS, "{}: PBS already has it as {} (the earlier qsub's answer was lost): not sent again",
                    ticket, existing.get());
            jobs.update(ticket.submissionId, j -> {
                j.pbsId = existing.get();
                j.submitSentAt = null;
                j.metisSubmittedAt = Instant.now();
            });
        } else {
            LOG.info(Subsystem.METIS, "{}: PBS has no such job: the qsub goes again", ticket);
            jobs.update(ticket.submissionId, j -> j.submitSentAt = null);
        }
    }

    /** The qsub for this job, noted as sent before it goes (its outcome is unknown until the answer is saved). */
    public String submitCommand(Ticket ticket) {
        String command = commands.submit(ticket.uid, ticket.jobId);
        jobs.update(ticket.submissionId, j -> j.submitSentAt = Instant.now());
        return command;
    }

    /** Reads qsub's answer and records the PBS id. */
    public void answered(Ticket ticket, Integer exit, Object stdout, Object stderr) throws IOException {
        if (exit != null && exit != 0) {
            // qsub answered that it failed: nothing was submitted, the next attempt need not ask PBS.
            jobs.update(ticket.submissionId, j -> j.submitSentAt = null);
        }
        submitted(ticket, commands.pbsId(exit, stdout, stderr));
    }

    /**
     * A job Metis already took (a crash may have come between job.json and the store): the store is
     * told again, so the app does not stay at "in queue".
     */
    public void confirmSubmitted(Ticket ticket) {
        Job job = jobs.get(ticket.submissionId);
        store.setFields(job.uid, job.jobId, Map.of("pbs_id", job.pbsId));
        if (job.status == null || job.status.code != StatusCode.Processing || !texts.processing(job.pbsId).equals(job.status.value)) {
            status.set(job.submissionId, StatusCode.Processing, texts.processing(job.pbsId), ticket.stage);
        } else {
            store.setStatus(job.uid, job.jobId, StatusCode.Processing, job.status.value);
        }
        LOG.info(Subsystem.METIS, "{}: already on Metis as {}, not submitted again", ticket, job.pbsId);
    }

    private void submitted(Ticket ticket, String pbsId) {
        Job job = jobs.update(ticket.submissionId, j -> {
            j.pbsId = pbsId;
            j.submitSentAt = null;
            j.metisSubmittedAt = Instant.now();
        });
        store.setFields(job.uid, job.jobId, Map.of("pbs_id", pbsId));
        status.set(ticket.submissionId, StatusCode.Processing, texts.processing(pbsId), ticket.stage);
        LOG.info(Subsystem.METIS, "{}: submitted to Metis as {} ({} ms)", ticket, pbsId, Tickets.elapsed(ticket).toMillis());
    }
}
