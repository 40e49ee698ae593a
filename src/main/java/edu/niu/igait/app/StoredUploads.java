package edu.niu.igait.app;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.http.UploadLimits;
import edu.niu.igait.store.JobStore;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploads of a uid that the other replicas took, for {@code igait.limits.per-user}: the uid's jobs in
 * the job store submitted within the window and recorded by a replica other than this one (or by a
 * service too old to say which). This replica's own are in its window already, including those its
 * stage 1 has not recorded yet. The store is asked for at most {@code igait.limits.store-timeout}; a store
 * that is down or slow costs the upload nothing but the count of the others' (one warning a minute).
 */
final class StoredUploads implements UploadLimits.Elsewhere {

    private static final Logger LOG = LoggerFactory.getLogger("igait.http");
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final CamelContext context;
    private final String replica;
    private final Duration timeout;
    private final ExecutorService executor;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    StoredUploads(CamelContext context, String replica, Duration timeout) {
        this.context = context;
        this.replica = replica;
        this.timeout = timeout;
        this.executor = context.getExecutorServiceManager().newCachedThreadPool(this, "igait-limits-store");
    }

    @Override
    public List<Duration> uploads(String uid, Duration window) {
        JobStore store = context.getRegistry().lookupByNameAndType("jobStore", JobStore.class);
        if (store == null) {
            return List.of();
        }
        try {
            Map<String, Object> user = CompletableFuture.supplyAsync(() -> store.user(uid).orElse(null), executor)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return others(user, replica, Instant.now(), window);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                LOG.warn("igait.limits.per-user counts this replica's uploads alone for now: the job store did not answer within {}"
                        + " ({})", timeout, Errors.summary(e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                        ? e.getCause() : e));
            }
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** How long ago each job of {@code user} within {@code window} was submitted, that {@code replica} did not record. */
    static List<Duration> others(Map<String, Object> user, String replica, Instant now, Duration window) {
        List<Duration> ago = new ArrayList<>();
        if (user == null || !(user.get("jobs") instanceof List<?> jobs)) {
            return ago;
        }
        for (Object entry : jobs) {
            if (!(entry instanceof Map<?, ?> raw)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> job = (Map<String, Object>) raw;
            Instant at = JobStore.submittedAt(job);
            if (at == null || replica.equals(job.get("replica"))) {
                continue;
            }
            Duration since = Duration.between(at, now);
            if (since.compareTo(window) < 0) {
                ago.add(since.isNegative() ? Duration.ZERO : since);
            }
        }
        return ago;
    }
}
