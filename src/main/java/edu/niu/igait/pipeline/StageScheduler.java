package edu.niu.igait.pipeline;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Polls a stage folder every {@code igait.stage.poll-delay-ms}, and at once when a ticket has just
 * been put there ({@link #wake}): a job goes from stage to stage without waiting for the next poll.
 * One thread per stage runs both, so polls never overlap.
 */
public class StageScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {

    private final String stage;
    private final long delayMillis;
    private CamelContext context;
    private volatile Runnable task;
    private volatile ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> periodic;

    public StageScheduler(String stage, long delayMillis) {
        this.stage = stage;
        this.delayMillis = delayMillis;
    }

    /** Polls now, and once more shortly after (the ticket may still be on its way: a rename). */
    public void wake() {
        ScheduledExecutorService e = executor;
        Runnable t = task;
        if (e == null || t == null || periodic == null) {
            return;
        }
        try {
            e.schedule(t, 5, TimeUnit.MILLISECONDS);
            e.schedule(t, 50, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the stage is stopping: the ticket waits for the next start
        }
    }

    @Override
    public void onInit(Consumer consumer) {
        // nothing to keep: the task is the consumer's poll
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    @Override
    public void unscheduleTask() {
        ScheduledFuture<?> p = periodic;
        if (p != null) {
            p.cancel(false);
        }
        periodic = null;
    }

    @Override
    public void startScheduler() {
        if (periodic == null && executor != null && task != null) {
            periodic = executor.scheduleWithFixedDelay(task, 0, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public boolean isSchedulerStarted() {
        return periodic != null;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    protected void doStart() {
        if (executor == null) {
            executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "stage-" + stage);
        }
    }

    @Override
    protected void doStop() {
        unscheduleTask();
        if (executor != null) {
            context.getExecutorServiceManager().shutdown(executor);
            executor = null;
        }
    }
}
