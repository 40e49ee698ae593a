package edu.niu.igait.completion;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.failure.Errors;
import edu.niu.igait.mail.MailTemplates;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts calls to the completion endpoint refused for a missing or wrong key, and tells the operator
 * about them without flooding the mailbox: the first refused call starts a count, and one alert goes
 * {@code igait.completion.alert-delay} later (to gather what comes with it), then at most one per
 * {@code igait.completion.alert-window}. Each alert carries the number of refused calls since the
 * last one and the callers' addresses; never the key that was tried.
 */
public class RefusedCalls extends ServiceSupport {

    public static final String ALERT_ENDPOINT = "direct:operator-alert";
    /** Addresses listed in one alert; further ones are counted as "and N more". */
    static final int MAX_CALLERS = 50;

    private static final Logger LOG = LoggerFactory.getLogger("igait.completion");

    private final CamelContext context;
    private final Duration delay;
    private final Duration window;
    private ScheduledExecutorService scheduler;

    private int count;
    private final Map<String, Integer> callers = new LinkedHashMap<>();
    private int otherCallers;
    private Instant lastAlert;
    private ScheduledFuture<?> pending;

    public RefusedCalls(CamelContext context, Duration delay, Duration window) {
        this.context = context;
        this.delay = delay;
        this.window = window;
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "igait-refused-calls");
    }

    @Override
    protected void doStop() {
        synchronized (this) {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
                LOG.warn("stopping with {} refused completion call(s) not yet reported to the operator, from {}", count, callersText());
            }
        }
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
            scheduler = null;
        }
    }

    /**
     * Notes one refused call from {@code address} and makes sure an alert about it will go; true for
     * the first call of a new count (the one worth a log line of its own).
     */
    public synchronized boolean refused(String address) {
        boolean first = count == 0;
        count++;
        if (callers.containsKey(address) || callers.size() < MAX_CALLERS) {
            callers.merge(address, 1, Integer::sum);
        } else {
            otherCallers++;
        }
        if (pending == null && scheduler != null) {
            long wait = delay.toMillis();
            if (lastAlert != null) {
                wait = Math.max(wait, Duration.between(Instant.now(), lastAlert.plus(window)).toMillis());
            }
            pending = scheduler.schedule(this::alert, wait, TimeUnit.MILLISECONDS);
        }
        return first;
    }

    /** Refused calls not yet reported. */
    public synchronized int unreported() {
        return count;
    }

    void alert() {
        int n;
        String from;
        synchronized (this) {
            pending = null;
            if (count == 0) {
                return;
            }
            n = count;
            from = callersText();
            count = 0;
            callers.clear();
            otherCallers = 0;
            lastAlert = Instant.now();
        }
        LOG.warn(Subsystem.INTAKE, "{} call(s) to POST /api/v1/completion refused for a missing or wrong access key, from {}", n, from);
        if (context.getRoute("operator-alert") == null) {
            return;
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("subject", "iGait: " + n + " refused call" + (n == 1 ? "" : "s") + " to POST /api/v1/completion");
        alert.put("what", "Calls to the completion endpoint without the access key Metis uses (" + AccessKey.ENV
                + "), or with a wrong one; nothing was changed. The keys tried are not recorded. Next report at most "
                + human(window) + " after this one.");
        alert.put("countLabel", "Refused calls");
        alert.put("count", n);
        alert.put("items", List.of("Callers: " + from));
        alert.put("time", MailTemplates.time(Instant.now()));
        try {
            ProducerTemplate template = context.createProducerTemplate();
            try {
                template.sendBody(ALERT_ENDPOINT, alert);
            } finally {
                template.stop();
            }
        } catch (Exception e) {
            LOG.error("operator alert about refused completion calls not sent: {}", Errors.summary(e));
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0 && s > 0) {
            return s / 86400 + (s == 86400 ? " day" : " days");
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + (s == 3600 ? " hour" : " hours");
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + (s == 60 ? " minute" : " minutes");
        }
        return s + (s == 1 ? " second" : " seconds");
    }

    private String callersText() {
        StringBuilder b = new StringBuilder();
        callers.forEach((address, calls) -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(address).append(" (").append(calls).append(calls == 1 ? " call)" : " calls)");
        });
        if (otherCallers > 0) {
            b.append(", and ").append(otherCallers).append(" call(s) from other addresses");
        }
        return b.toString();
    }
}
