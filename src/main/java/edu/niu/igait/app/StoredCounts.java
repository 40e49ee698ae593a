package edu.niu.igait.app;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import edu.niu.igait.config.Settings;
import edu.niu.igait.failure.Errors;
import edu.niu.igait.http.UploadLimits;
import edu.niu.igait.logging.Replica;
import edu.niu.igait.store.JobStore;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the other replicas took of a uid, for a per-user limit, from the job store: its uploads
 * ({@code igait.limits.per-user}: the uid's jobs submitted within the window and recorded by a replica
 * other than this one, or by a service too old to say which), or its requests of a kind
 * ({@code igait.limits.history-per-user}: {@code requests/history/<uid>}; {@code igait.limits.per-user} again:
 * {@code requests/contribution/<uid>}, which {@link #note} writes). This replica's own are in its window
 * already, including those the store has not yet. The store is asked for at most
 * {@code igait.limits.store-timeout} (counts joined with {@link #and} share it); a store that is down or
 * slow costs the request nothing but the count of the others' (one warning a minute).
 */
final class StoredCounts implements UploadLimits.Elsewhere {

    private static final Logger LOG = LoggerFactory.getLogger("igait.http");
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final CamelContext context;
    private final String replica;
    private final Duration timeout;
    /** Null: uploads (the uid's jobs); else the kind of request under {@code requests/}. */
    private final String kind;
    private final ExecutorService executor;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    private StoredCounts(CamelContext context, String replica, Duration timeout, String kind) {
        this.context = context;
        this.replica = replica;
        this.timeout = timeout;
        this.kind = kind;
        this.executor = context.getExecutorServiceManager().newCachedThreadPool(this, "igait-limits-store");
    }

    /** The uid's uploads the other replicas took. */
    static StoredCounts uploads(CamelContext context, String replica, Duration timeout) {
        return new StoredCounts(context, replica, timeout, null);
    }

    /** The uid's requests of {@code kind} the other replicas took (and {@link #note} for this one's). */
    static StoredCounts requests(CamelContext context, String replica, Duration timeout, String kind) {
        return new StoredCounts(context, replica, timeout, kind);
    }

    /**
     * The uid's requests of {@code kind} the other replicas took, when this is one of several (a replica
     * name other than {@code local}); null for the one-machine service, which reads nothing more.
     */
    static StoredCounts requests(CamelContext context, Settings settings, String kind) {
        String replica = Replica.of(settings.get(Replica.PROPERTY));
        return Replica.DEFAULT.equals(replica) ? null
                : requests(context, replica, HttpBeans.positive(settings, "igait.limits.store-timeout"), kind);
    }

    @Override
    public List<Duration> taken(String uid, Duration window) {
        return await(count(uid, window), System.nanoTime() + timeout.toNanos());
    }

    /** These counts and {@code more}'s in one list, both asked of the store at once, within one timeout. */
    UploadLimits.Elsewhere and(StoredCounts more) {
        return (uid, window) -> {
            CompletableFuture<List<Duration>> mine = count(uid, window);
            CompletableFuture<List<Duration>> theirs = more.count(uid, window);
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Duration> taken = new ArrayList<>(await(mine, deadline));
            taken.addAll(more.await(theirs, deadline));
            return taken;
        };
    }

    /** The count under way (empty without a job store). */
    private CompletableFuture<List<Duration>> count(String uid, Duration window) {
        JobStore store = store();
        if (store == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        Instant now = Instant.now();
        return CompletableFuture.supplyAsync(() -> kind == null ? others(store.user(uid).orElse(null), replica, now, window)
                : othersRequests(store.requests(kind, uid), replica, now, window), executor);
    }

    private List<Duration> await(CompletableFuture<List<Duration>> count, long deadline) {
        List<Duration> taken = await(count, deadline, "count the other replicas' " + what());
        return taken == null ? List.of() : taken;
    }

    /** Notes a request of this kind this replica took, for the others to count (best effort: a store that is down loses it). */
    void note(String uid, Instant at) {
        JobStore store = store();
        if (store == null || kind == null) {
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("at", at.toString());
        entry.put("replica", replica);
        String key = replica + "-" + at.toEpochMilli();
        await(CompletableFuture.supplyAsync(() -> {
            store.noteRequest(kind, uid, key, entry);
            return List.of();
        }, executor), System.nanoTime() + timeout.toNanos(), "note a " + kind + " request for the other replicas");
    }

    private JobStore store() {
        return context.getRegistry().lookupByNameAndType("jobStore", JobStore.class);
    }

    private String what() {
        return kind == null ? "uploads" : kind + " requests";
    }

    /** What {@code call} answered by {@code deadline} ({@link System#nanoTime}), or null (and a warning a minute). */
    private List<Duration> await(CompletableFuture<List<Duration>> call, long deadline, String what) {
        try {
            return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                LOG.warn("the per-user limit of {} counts this replica's alone for now: the job store did not {} within {} ({})",
                        what(), what, timeout, Errors.summary(cause));
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** How long ago each job of {@code user} within {@code window} was submitted, that {@code replica} did not record. */
    static List<Duration> others(Map<String, Object> user, String replica, Instant now, Duration window) {
        List<Duration> ago = new ArrayList<>();
        if (user == null || !(user.get("jobs") instanceof List<?> jobs)) {
            return ago;
        }
        for (Object entry : jobs) {
            if (entry instanceof Map<?, ?> raw) {
                @SuppressWarnings("unchecked")
                Map<String, Object> job = (Map<String, Object>) raw;
                if (!replica.equals(job.get("replica"))) {
                    within(JobStore.submittedAt(job), now, window, ago);
                }
            }
        }
        return ago;
    }

    /** How long ago each noted request within {@code window} was, that {@code replica} did not take. */
    static List<Duration> othersRequests(Map<String, Object> requests, String replica, Instant now, Duration window) {
        List<Duration> ago = new ArrayList<>();
        for (Object entry : requests.values()) {
            if (entry instanceof Map<?, ?> request && !replica.equals(request.get("replica")) && request.get("at") instanceof String at) {
                try {
                    within(Instant.parse(at), now, window, ago);
                } catch (java.time.format.DateTimeParseException e) {
                    // not a time the service wrote: not counted
                }
            }
        }
        return ago;
    }

    private static void within(Instant at, Instant now, Duration window, List<Duration> ago) {
        if (at == null) {
            return;
        }
        Duration since = Duration.between(at, now);
        if (since.compareTo(window) < 0) {
            ago.add(since.isNegative() ? Duration.ZERO : since);
        }
    }
}
