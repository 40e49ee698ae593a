package edu.niu.igait.stages;

import java.time.Instant;
import java.util.function.Consumer;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.store.JobStore;

/**
 * Sets the status the app shows: in the job store (where the app reads it) and in job.json (whose
 * history the status endpoint shows). A final status, a result from Metis, stays: a later status
 * that is not a result (a stage that retries or gives up after the result came) goes into the
 * history as a note instead.
 */
public class JobStatus {

    private final JobRepository jobs;
    private final JobStore store;

    public JobStatus(JobRepository jobs, JobStore store) {
        this.jobs = jobs;
        this.store = store;
    }

    /**
     * Sets the status of the submission's job as the work of {@code stage}; returns the job as saved.
     * The stages set statuses on the way to Metis and their failures; a result is set by stage 5
     * alone (CompleteStage). So once the job shows a result, whatever comes here is a note.
     */
    public Job set(String sid, StatusCode code, String value, String stage) {
        return set(sid, code, value, stage, null);
    }

    /**
     * The same, and {@code alsoChange} in the same write of job.json (one fsync'd write where a stage
     * has more to note than the status).
     */
    public Job set(String sid, StatusCode code, String value, String stage, Consumer<Job> alsoChange) {
        Job job = jobs.get(sid);
        boolean shown;
        if (job.hasFinalStatus() || code.isFinal()) {
            shown = false;
        } else if (job.jobId != null) {
            // The store refuses too, in the same transaction as it reads its status: stage 5 may have
            // written the result since job.json was read.
            shown = store.setStatus(job.uid, job.jobId, code, value);
        } else {
            shown = true;
        }
        boolean show = shown;
        if (show && job.status != null && job.status.code == code && value.equals(job.status.value)) {
            // Told the store again (it may not have had it); job.json has it already.
            return alsoChange == null ? job : jobs.update(sid, alsoChange);
        }
        return jobs.update(sid, j -> {
            if (show && !j.hasFinalStatus()) {
                j.setStatus(code, value, Instant.now(), stage);
            } else {
                j.note(value, Instant.now(), stage);
            }
            if (alsoChange != null) {
                alsoChange.accept(j);
            }
        });
    }

    /** Notes in the job's history what a stage did or waits for, leaving the status as it is. */
    public void note(String sid, String text, String stage) {
        jobs.update(sid, j -> j.note(text, Instant.now(), stage));
    }
}
