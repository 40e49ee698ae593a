package edu.niu.igait.dev;

import edu.niu.igait.job.Uid;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.store.JobStore;
import org.apache.camel.CamelContext;

/**
 * {@code GET /dev/db/users/<uid>}: the job store's tree for a uid, as the app would read it; and
 * {@code GET /dev/db/contributions/<uid>/<id>}: a research contribution's record.
 */
public final class DevDb {

    private final CamelContext context;

    public DevDb(CamelContext context) {
        this.context = context;
    }

    public Map<String, Object> user(String uid) {
        JobStore store = store(uid);
        return store.user(uid).orElseThrow(() -> new RequestRejected(404, "not_found", "uid", "no user with this uid in the "
                + store.name() + " store"));
    }

    public Map<String, Object> contribution(String uid, String id) {
        JobStore store = store(uid);
        if (!edu.niu.igait.job.Contribution.isValidId(id)) {
            throw new RequestRejected(400, "invalid_id", "id", "not a contribution id");
        }
        return store.contribution(uid, id).orElseThrow(() -> new RequestRejected(404, "not_found", "id", "no contribution with this id"
                + " of this uid in the " + store.name() + " store"));
    }

    private JobStore store(String uid) {
        if (uid == null || !Uid.isValid(uid)) {
            throw new RequestRejected(400, "invalid_uid", "uid", "a uid is 1 to 128 letters, digits, '_' or '-'");
        }
        JobStore store = context.getRegistry().lookupByNameAndType("jobStore", JobStore.class);
        if (store == null) {
            throw new RequestRejected(503, "no_store", null, "the job store is not running (igait.pipeline.enabled=false)");
        }
        return store;
    }
}
