package edu.niu.igait.stages;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of a stage folder's file consumer: it polls every {@code delay} milliseconds, and at
 * once when a file lands in the folder (a ticket written by the intake, moved on by the stage before,
 * or moved back from {@code data/failed/} by an operator), so a job goes from stage to stage without
 * waiting for the next poll. It watches the folder itself (the operating system's file events), so it
 * needs to know nothing about the stages; the stage template sets it on every stage's consumer. Polls
 * run on one thread per stage and never overlap.
 */
public class TicketWatch extends ServiceSupport implements ScheduledPollConsumerScheduler {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private CamelContext context;
    private Path folder;
    private long delayMillis = 500;
    private volatile Runnable task;
    private volatile ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> periodic;
    private volatile WatchService watch;
    private Thread watcher;

    @Override
    public void onInit(Consumer consumer) {
        if (consumer.getEndpoint() instanceof GenericFileEndpoint<?> file) {
            folder = Path.of(file.getConfiguration().getDirectory()).toAbsolutePath().normalize();
        }
        if (consumer instanceof ScheduledPollConsumer polling) {
            delayMillis = polling.getDelay();
        }
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
    protected void doStart() throws IOException {
        String name = folder == null ? "stage" : "stage " + folder.getFileName();
        if (executor == null) {
            executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, name);
        }
        if (folder != null && watch == null) {
            edu.niu.igait.job.DurableFiles.createDirectories(folder);
            watch = FileSystems.getDefault().newWatchService();
            folder.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            watcher = new Thread(this::watchFolder, "watch " + folder.getFileName());
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** Wakes the stage for each file that appears (dot names are half-written tickets and locks: not yet). */
    private void watchFolder() {
        WatchService w = watch;
        try {
            while (true) {
                WatchKey key = w.take();
                boolean ticket = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    Object context = event.context();
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW
                            || (context instanceof Path p && !p.getFileName().toString().startsWith(".")
                                && !p.getFileName().toString().endsWith(".camelLock"))) {
                        ticket = true;
                    }
                }
                if (ticket) {
                    wake();
                }
                if (!key.reset()) {
                    LOG.warn("{} can no longer be watched: the stage polls it every {} ms", folder, delayMillis);
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopping) {
            // the stage stops
        }
    }

    /** Polls now: a ticket has just arrived. */
    void wake() {
        ScheduledExecutorService e = executor;
        Runnable t = task;
        if (e == null || t == null || periodic == null) {
            return;
        }
        try {
            e.execute(t);
        } catch (RejectedExecutionException stopping) {
            // the stage is stopping: the ticket waits for the next start
        }
    }

    @Override
    protected void doStop() throws IOException {
        unscheduleTask();
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (watcher != null) {
            watcher.interrupt();
            watcher = null;
        }
        if (executor != null) {
            context.getExecutorServiceManager().shutdown(executor);
            executor = null;
        }
    }
}
