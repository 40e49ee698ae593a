package edu.niu.igait.stages;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.store.JobStore;

/**
 * Sets a research contribution's status: in the job store's {@code contributions/<uid>/<id>} once the
 * contribution is recorded there (stage c1-store records it first), then in its contribution.json. A
 * crash in between leaves the stage to set it again. The texts are {@code igait.contribute.status.*}.
 */
public class ContributionStatus {

    private final JobRepository jobs;
    private final JobStore store;

    public ContributionStatus(JobRepository jobs, JobStore store) {
        this.jobs = jobs;
        this.store = store;
    }

    /** Sets the status, and {@code alsoChange} in the same write of contribution.json; returns the record as saved. */
    public Contribution set(String id, Contribution.Code code, String value, Consumer<Contribution> alsoChange) {
        return set(id, code, value, alsoChange, Map.of());
    }

    /** The same, and {@code alsoStore} in the same write of the job store's record. */
    public Contribution set(String id, Contribution.Code code, String value, Consumer<Contribution> alsoChange,
                            Map<String, Object> alsoStore) {
        Contribution contribution = jobs.getContribution(id);
        Instant now = Instant.now();
        if (contribution.recordedAt != null) {
            Map<String, Object> fields = new LinkedHashMap<>(alsoStore);
            fields.put("status", status(code, value));
            fields.put("updated_at", now.toString());
            store.updateContribution(contribution.uid, id, fields);
        }
        return jobs.updateContribution(id, c -> {
            c.setStatus(code, value, now);
            if (alsoChange != null) {
                alsoChange.accept(c);
            }
        });
    }

    /** A status as the store keeps it, {@code {"code", "value"}}. */
    public static Map<String, Object> status(Contribution.Code code, String value) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("code", code.name());
        status.put("value", value);
        return status;
    }
}
