package edu.niu.igait.stages;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage 1-record: the user and the job where the app reads them, once. */
public class RecordStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStore store;
    private final String replica;

    public RecordStage(JobRepository jobs, JobStore store, String replica) {
        this.jobs = jobs;
        this.store = store;
        this.replica = replica;
    }

    /**
     * Records the job in the store, with the replica that holds it (the per-user limit counts the
     * others' jobs from there); a repeat finds it by its submission id and gets the same job id.
     */
    public void record(Ticket ticket) {
        Job job = jobs.get(ticket.submissionId);
        job.replica = replica;
        int jobId = store.record(job);
        jobs.update(ticket.submissionId, j -> {
            j.jobId = jobId;
            j.replica = replica;
        });
        ticket.jobId = jobId;
        Tickets.mdc(ticket);
        LOG.info(Subsystem.FIREBASE, "{}: recorded in {} ({} ms)", ticket, store.name(), Tickets.elapsed(ticket).toMillis());
    }
}
