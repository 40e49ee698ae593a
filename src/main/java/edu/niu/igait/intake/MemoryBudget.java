package edu.niu.igait.intake;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One budget for the upload bytes received and not yet written, across all uploads
 * ({@code igait.limits.upload-memory}): an upload whose chunk finds it spent pauses reading from its
 * client and waits here until the writers have brought it under three quarters again.
 */
public final class MemoryBudget {

    private final long limit;
    private final long resumeBelow;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public MemoryBudget(long limit) {
        this.limit = limit;
        this.resumeBelow = limit - limit / 4;
    }

    public long limit() {
        return limit;
    }

    void take(long bytes) {
        peak.accumulateAndGet(used.addAndGet(bytes), Math::max);
    }

    void give(long bytes) {
        if (used.addAndGet(-bytes) < resumeBelow && !waiting.isEmpty()) {
            Runnable r;
            while ((r = waiting.poll()) != null) {
                r.run();
            }
        }
    }

    boolean spent() {
        return used.get() > limit;
    }

    boolean hasRoom() {
        return used.get() < resumeBelow;
    }

    /** Runs {@code wake} once the budget has room again (at once if it has now). */
    void whenRoom(Runnable wake) {
        waiting.add(wake);
        if (hasRoom() && waiting.remove(wake)) {
            wake.run();
        }
    }

    /** Bytes held now, and the most ever held at once. */
    public long used() {
        return used.get();
    }

    public long peak() {
        return peak.get();
    }
}
