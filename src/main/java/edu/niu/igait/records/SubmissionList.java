package edu.niu.igait.records;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Uid;

/**
 * {@code GET /api/v1/submissions}: a parent's jobs from the job store (not from this machine's data
 * folder, which holds only the jobs it took and only for {@code igait.retention.local}), newest first,
 * filtered ({@link Filters}). For each: job id, submission id, submitted at, status (a final one's value
 * neutral) and stage. No email address, no medical data, no score.
 */
public class SubmissionList {

    /** The parameter naming whose jobs: the caller's own unless an administrator names another uid. */
    static final String USER_ID = "user_id";

    private final Records records;
    private final Access access;
    private final double threshold;

    public SubmissionList(Records records, Access access, double threshold) {
        this.records = records;
        this.access = access;
        this.threshold = threshold;
    }

    /**
     * @param tokenUid the token's uid, or null when requests are not authenticated (then the query's uid)
     * @param query    the query's parameters
     */
    public Map<String, Object> list(String tokenUid, Map<String, List<String>> query) {
        String caller = Access.caller(tokenUid, query);
        String owner = Filters.single(query, USER_ID);
        if (owner == null) {
            owner = caller;
        } else if (!Uid.isValid(owner)) {
            throw RequestRejected.badRequest("invalid_field", USER_ID, USER_ID + " must be a uid: " + Uid.RULE);
        }
        access.check(caller, owner, USER_ID, "this list");
        Filters filters = Filters.parse(query);
        List<Map<String, Object>> items = new ArrayList<>();
        for (StoredJob job : filters.apply(records.jobsOf(owner), threshold)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("jobId", job.jobId);
            item.put("submissionId", job.submissionId());
            item.put("submittedAt", Records.time(job.submittedAt()));
            item.put("status", records.status(job.statusCode(), job.statusValue()));
            item.put("stage", records.stage(job.submissionId(), job.statusCode()));
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uid", owner);
        body.put("count", items.size());
        body.put("submissions", items);
        return body;
    }
}
