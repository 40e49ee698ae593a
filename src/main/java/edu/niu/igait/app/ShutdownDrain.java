package edu.niu.igait.app;

import java.time.Duration;

import edu.niu.igait.intake.UploadReceiver;
import edu.niu.igait.stages.RetryTimer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the service does the moment it is asked to stop (SIGTERM, Ctrl-C), before Camel shuts the routes
 * down: readiness is already DOWN (Camel's context check, as the context is stopping); the uploads being
 * read get {@code igait.shutdown.drain} to arrive, then a 503 ({@link UploadReceiver#drain}); the
 * stages' retries waiting for their next attempt run now and give their jobs up for this run
 * ({@link RetryTimer#release}), while a stage's step already under way finishes. Camel meanwhile stops
 * taking new work (no stage polls; a new request is answered 503 with Retry-After before any route,
 * {@link edu.niu.igait.http.ConnectionGuard#refuseNewRequests}) and waits up to
 * {@code camel.main.shutdown-timeout} for what is in flight.
 */
final class ShutdownDrain extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");

    private final Duration drain;
    private volatile UploadReceiver receiver;
    private volatile edu.niu.igait.http.ConnectionGuard guard;
    private volatile RetryTimer retries;

    ShutdownDrain(Duration drain) {
        this.drain = drain;
    }

    void guard(edu.niu.igait.http.ConnectionGuard guard) {
        this.guard = guard;
    }

    void receiver(UploadReceiver receiver) {
        this.receiver = receiver;
    }

    void retries(RetryTimer retries) {
        this.retries = retries;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        edu.niu.igait.http.ConnectionGuard g = guard;
        if (g != null) {
            g.refuseNewRequests();
        }
        UploadReceiver r = receiver;
        int uploads = r == null ? 0 : r.inProgress();
        LOG.info("stopping: readiness is DOWN; {} upload(s) in progress have {} s to finish (igait.shutdown.drain), the stages"
                + " finish their current step and leave waiting retries for the next start", uploads,
                drain.toMillis() % 1000 == 0 ? Long.toString(drain.toSeconds()) : String.format(java.util.Locale.ROOT, "%.1f", drain.toMillis() / 1000.0));
        if (r != null) {
            r.drain(drain);
        }
        RetryTimer t = retries;
        if (t != null) {
            t.release();
        }
    }
}
