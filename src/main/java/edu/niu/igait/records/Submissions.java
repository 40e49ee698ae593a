package edu.niu.igait.records;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Job;

/**
 * Where a submission stands, for the app and for people: no medical data, no email address. From
 * this machine's job.json while it is kept (with the status history), else from the job store, found
 * through its index (the job's local records are gone after {@code igait.retention.local}, or another
 * machine of the service took the upload). A job this machine holds whose result another replica
 * applied (Metis's call reached that one) shows the stored final status: job.json catches up only when
 * this replica's overdue check looks.
 */
public class Submissions {

    private final Records records;
    private final Access access;

    public Submissions(Records records, Access access) {
        this.records = records;
        this.access = access;
    }

    /**
     * @param uid the caller's uid from its token, or null when requests are not authenticated; a
     *            submission of another uid is refused 403, unless the caller is an administrator
     */
    public Map<String, Object> status(String sid, String uid) {
        Records.Found found = records.find(sid)
                .orElseThrow(() -> new RequestRejected(404, "not_found", "submissionId", "no submission with this id"));
        access.check(uid, found.uid(), "submissionId", "this submission");
        return found.local() != null ? withStoredResult(local(found.local()), found.local()) : stored(found);
    }

    /** A job still on its way here may already show a result in the job store (applied by another replica). */
    private Map<String, Object> withStoredResult(Map<String, Object> body, Job job) {
        if (job.jobId == null || job.status == null || job.status.code.isFinal() || !records.hasStore()) {
            return body;
        }
        StoredJob stored = Records.reading(() -> records.store().job(job.uid, job.jobId)
                .map(fields -> new StoredJob(job.uid, job.jobId, fields)).orElse(null));
        if (stored != null && stored.statusCode() != null && stored.statusCode().isFinal()) {
            body.put("status", records.status(stored.statusCode(), stored.statusValue()));
            body.put("updatedAt", Records.time(stored.updatedAt()));
        }
        return body;
    }

    private Map<String, Object> local(Job job) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submissionId", job.submissionId);
        body.put("uid", job.uid);
        body.put("stage", records.jobs().ticketLocation(job.submissionId).orElse(job.stage));
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
            // A status change has its code and value; a note (what a stage did while the status stayed) its text.
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

    /** The same answer from the job store: its status as it stands (the history of changes was job.json's). */
    private Map<String, Object> stored(Records.Found found) {
        StoredJob job = found.stored();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submissionId", found.sid());
        body.put("uid", found.uid());
        body.put("stage", records.stage(found.sid(), job.statusCode()));
        body.put("status", records.status(job.statusCode(), job.statusValue()));
        body.put("jobId", found.jobId());
        body.put("submittedAt", Records.time(job.submittedAt()));
        body.put("updatedAt", Records.time(job.updatedAt()));
        body.put("history", List.of());
        return body;
    }
}
