package edu.niu.igait.stages;

import java.util.Arrays;

import edu.niu.igait.failure.RouteError;
import edu.niu.igait.job.JobView;
import edu.niu.igait.job.StatusCode;

/**
 * The bean {@code jobStatus}: what a stage written in YAML may do to the status the app shows, e.g.
 * {@code jobStatus.set(${exchangeProperty.job}, 'Processing', 'Posted to the lab system.')} or
 * {@code jobStatus.note(${exchangeProperty.job}, 'Sent to the lab system.')}. Through
 * {@link JobStatus}, as the service's own stages do: the job store where the app reads it, and job.json
 * with its history. A result from Metis (Complete, InferenceErr) is stage 5's alone, and a job that shows
 * one keeps it (a later status becomes a note). A code that does not exist is a mistake in the route
 * ({@link RouteError}).
 */
public class RouteStatus {

    private final JobStatus status;

    public RouteStatus(JobStatus status) {
        this.status = status;
    }

    /** Sets the job's status code and value (the text the app shows), as the work of the current stage. */
    public void set(JobView job, String code, String text) {
        StatusCode parsed = StatusCode.parse(code == null ? null : code.trim());
        if (parsed == null) {
            throw new RouteError("jobStatus.set: there is no status code '" + code + "'; a stage may set "
                    + Arrays.stream(StatusCode.values()).filter(c -> !c.isFinal()).map(Enum::name).toList());
        }
        if (parsed.isFinal()) {
            throw new RouteError("jobStatus.set: " + parsed + " is a result from Metis, set by stage 5-complete alone;"
                    + " a stage may set " + Arrays.stream(StatusCode.values()).filter(c -> !c.isFinal()).map(Enum::name).toList());
        }
        if (text == null || text.isBlank()) {
            throw new RouteError("jobStatus.set: the status value (the text the app shows) is empty");
        }
        status.set(recorded(job, "set").getSubmissionId(), parsed, text.strip(), job.getStage());
    }

    /** Notes in the job's history what the stage did, leaving the status as it is. */
    public void note(JobView job, String text) {
        if (text == null || text.isBlank()) {
            throw new RouteError("jobStatus.note: the note is empty");
        }
        status.note(recorded(job, "note").getSubmissionId(), text.strip(), job.getStage());
    }

    private static JobView recorded(JobView job, String call) {
        if (job == null) {
            throw new RouteError("jobStatus." + call + ": no job given; pass ${exchangeProperty.job}");
        }
        if (job.getSubmissionId() == null || !job.isRecorded()) {
            throw new RouteError("jobStatus." + call + ": " + job + " has no job record to set a status on");
        }
        return job;
    }
}
