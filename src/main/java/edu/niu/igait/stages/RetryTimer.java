package edu.niu.igait.stages;

import java.util.concurrent.Callable;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timer the stages' retries wait on ({@code routes/errors.yaml}: the error handler's
 * {@code executorServiceRef}). When the service stops, {@link #release()} runs every waiting retry at
 * once, and every later one without delay: the retry then sees the service stopping and gives the job
 * up for this run ({@link Retries}), so a job waiting minutes for its next attempt does not hold the
 * shutdown, and its ticket stays in its stage for the next start.
 */
public final class RetryTimer extends ScheduledThreadPoolExecutor {

    /** A retry runs its stage's steps on this timer's thread (as on Camel's own redelivery pool, of the same size). */
    static final int THREADS = 10;

    private volatile boolean released;

    public RetryTimer() {
        super(THREADS, new Threads());
        setRemoveOnCancelPolicy(true);
    }

    /** Runs the waiting retries now, and any later one without waiting. */
    public void release() {
        released = true;
        for (Runnable waiting : getQueue().toArray(new Runnable[0])) {
            if (waiting instanceof RunnableScheduledFuture<?> task && task.getDelay(TimeUnit.NANOSECONDS) > 0 && remove(task)) {
                super.execute(task);
            }
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(command, released ? 0 : delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return super.schedule(callable, released ? 0 : delay, unit);
    }

    private static final class Threads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "igait-retry-timer-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
