package edu.niu.igait.records;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Uid;
import edu.niu.igait.store.JobStore;

/**
 * Who asks, and whose jobs they may read: their own, or anyone's when the job store says they are an
 * administrator ({@code users/<uid>/administrator} is {@code true}). That is read only when a caller
 * asks for another uid's jobs, and at most once per uid and {@code igait.records.administrator-cache}.
 */
public class Access {

    /** The query parameter (GET) that names the caller when requests are not authenticated (igait.auth.mode=none). */
    static final String UID = "uid";
    /** Kept, then swept: callers past this many are forgotten once their entry is stale. */
    private static final int SWEEP_ABOVE = 10_000;

    private final JobStore store;
    private final long cacheNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private record Known(boolean administrator, long readAt) {
    }

    /** @param store null when the pipeline does not run: then nobody is an administrator */
    public Access(JobStore store, Duration cache) {
        this(store, cache, System::nanoTime);
    }

    Access(JobStore store, Duration cache, LongSupplier nanoTime) {
        this.store = store;
        this.cacheNanos = cache.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * The caller of a GET: the token's uid, or without sign-in (igait.auth.mode=none) the query's
     * {@code uid}, which is then required. Signed in, a {@code uid} parameter must be the token's.
     */
    public static String caller(String tokenUid, Map<String, List<String>> query) {
        String given = Filters.single(query, UID);
        return caller(tokenUid, given, UID);
    }

    /** The same from a value a form or query gave under {@code field} (null: not given). */
    static String caller(String tokenUid, String given, String field) {
        if (given != null && !Uid.isValid(given)) {
            throw RequestRejected.badRequest("invalid_field", field, field + " must be a uid: " + Uid.RULE);
        }
        if (tokenUid != null) {
            if (given != null && !given.equals(tokenUid)) {
                throw new RequestRejected(403, "uid_mismatch", field, field + " is not the signed-in user's uid");
            }
            return tokenUid;
        }
        if (given == null) {
            throw RequestRejected.badRequest("missing_field", field, "without sign-in (igait.auth.mode=none) " + field + " names the caller");
        }
        return given;
    }

    /** Refuses 403 unless {@code caller} may read {@code owner}'s jobs; {@code field} is what named them. */
    public void check(String caller, String owner, String field, String what) {
        if (caller != null && !caller.equals(owner) && !administrator(caller)) {
            throw new RequestRejected(403, "forbidden", field, what + " belongs to another user");
        }
    }

    /** Whether the store says {@code uid} is an administrator, as read within the last cache period. */
    public boolean administrator(String uid) {
        long now = nanoTime.getAsLong();
        Known k = known.get(uid);
        if (k != null && now - k.readAt < cacheNanos) {
            return k.administrator;
        }
        boolean administrator = store != null && Records.reading(() -> store.administrator(uid));
        if (known.size() > SWEEP_ABOVE) {
            for (Iterator<Known> it = known.values().iterator(); it.hasNext(); ) {
                if (now - it.next().readAt >= cacheNanos) {
                    it.remove();
                }
            }
        }
        known.put(uid, new Known(administrator, now));
        return administrator;
    }
}
