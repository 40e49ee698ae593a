package edu.niu.igait.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.SubmissionId;

/** Where a submission stands, for the app and for people: no medical data, no email address. */
public class Submissions {

    private final JobRepository jobs;

    public Submissions(JobRepository jobs) {
        this.jobs = jobs;
    }

    /**
     * @param uid the caller's uid from its token, or null when requests are not authenticated; a
     *            submission of another uid is refused 403
     */
    public Map<String, Object> status(String sid, String uid) {
        Job job = SubmissionId.isValid(sid) ? jobs.find(sid).orElse(null) : null;
        if (job == null) {
            throw new RequestRejected(404, "not_found", "submissionId", "no submission with this id");
        }
        if (uid != null && !uid.equals(job.uid)) {
            throw new RequestRejected(403, "forbidden", "submissionId", "this submission belongs to another user");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submissionId", job.submissionId);
        body.put("uid", job.uid);
        body.put("stage", jobs.ticketLocation(sid).orElse(job.stage));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("code", job.status.code.name());
        status.put("value", job.status.value);
        body.put("status", status);
        if (job.jobId != null) {
            body.put("jobId", job.jobId);
        }
        body.put("submittedAt", job.submittedAt.toString());
        body.put("updatedAt", (job.updatedAt == null ? job.submittedAt : job.updatedAt).toString());
        List<Map<String, Object>> history = new ArrayList<>();
        for (Job.HistoryEntry h : job.history) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("at", h.at.toString());
            e.put("stage", h.stage);
            // A note (what a stage did while the status stayed, e.g. a final one) has no code of its own.
            if (h.code != null) {
                e.put("code", h.code.name());
                e.put("value", h.value);
            }
            if (h.note != null) {
                e.put("note", h.note);
            }
            history.add(e);
        }
        body.put("history", history);
        return body;
    }
}
