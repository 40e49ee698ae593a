package edu.niu.igait.mail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.logging.Replica;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts for the operator that stay readable in a storm: the first event of a kind starts a batch,
 * and one alert goes {@code igait.alerts.delay} later (to gather what comes with it), then at most one
 * per {@code igait.alerts.window} per kind, each with the count and a line per event (at most
 * {@link #MAX_LINES}; the rest are counted). Never one mail per job. The alert goes to the route
 * {@code direct:operator-alert}; no medical data and no parents' addresses are in it. Each names the
 * replica that sends it ({@code igait.replica.name}: in the body always, in the subject when it is not
 * the one-machine {@code local}), since each replica alerts about its own volume.
 */
public class OperatorAlerts extends ServiceSupport {

    /** Lines listed in one alert; further ones are counted as "and N more". */
    public static final int MAX_LINES = 50;
    public static final String ENDPOINT = "direct:operator-alert";

    private static final Logger LOG = LoggerFactory.getLogger("igait.alerts");

    /**
     * What an alert is about: its subject ({@code %d} is the count), what happened and what the operator
     * can do, what the count counts, and the unit of a line noted more than once (null: "times").
     */
    public record Kind(String name, String subject, String what, String countLabel, String unit) {
        Kind(String name, String subject, String what) {
            this(name, subject, what, "Events", null);
        }
    }

    public static final Kind REFUSED_CALLS = new Kind("refused calls", "iGait: %d refused calls to POST /api/v1/completion",
            "Calls to the completion endpoint without the access key Metis uses (IGAIT_ACCESS_KEY), or with a wrong one;"
                    + " nothing was changed. The keys tried are not recorded. One line per caller's address.",
            "Refused calls", "call");
    public static final Kind FAILED_JOBS = new Kind("failed jobs", "iGait: %d submission(s) failed",
            "Submissions that failed for good. Each waits in data/failed/<stage>/ with its reason in data/jobs/<sid>/job.json;"
                    + " after fixing the cause, move its ticket back where its line says to retry it afresh.");
    public static final Kind ROUTE_ERRORS = new Kind("route errors", "iGait: %d job(s) stopped by a mistake in routes/",
            "A step of a route failed in a way no retry can cure: no such bean or method, an expression or template that does"
                    + " not parse, a value of the wrong type, a missing property. Each line names the route, its file and line,"
                    + " and the step. Fix the route, restart the service, then move each ticket back where its line says."
                    + " The peers were not at fault and their health is unchanged.");
    public static final Kind STRANDED_TICKETS = new Kind("stranded tickets", "iGait: %d stage folder(s) that no route reads hold jobs",
            "Folders under data/stages/ that hold tickets although no route reads them (a stage removed from routes/stages/"
                    + " while jobs waited in it): those jobs go no further. Move the tickets to the folder each line names, or"
                    + " put the stage back. Readiness (/observe/health/ready) is DOWN until the folders are empty.");
    public static final Kind FAILED_RESULTS = new Kind("failed results", "iGait: %d result(s) from Metis could not be applied",
            "Results Metis reported that stage 5-complete could not apply. Each ticket waits in data/failed/5-complete/;"
                    + " move it back to data/stages/5-complete/ to retry it.");
    public static final Kind FAILED_HISTORY = new Kind("failed history requests", "iGait: %d history request(s) could not be mailed",
            "Parents' requests for their history by mail (POST /api/v1/historical_submissions) that failed for good. Each"
                    + " ticket waits in data/failed/<stage>/; after fixing the cause, move it back to data/stages/<stage>/ to retry it.");
    public static final Kind FAILED_CONTRIBUTIONS = new Kind("failed contributions",
            "iGait: %d research contribution(s) or withdrawal(s) failed",
            "Research contributions (POST /api/v1/contribute) that could not be stored or thanked, and withdrawals"
                    + " (DELETE /api/v1/contributions/<id>) that could not be carried out, for good. Each ticket waits in"
                    + " data/failed/<stage>/; after fixing the cause, move it back where its line says to retry it afresh.");
    public static final Kind OVERDUE_RESULTS = new Kind("overdue results", "iGait: %d job(s) on Metis without a result",
            "Jobs in Processing longer than igait.metis.result-timeout: Metis may have lost them. Check them with qstat;"
                    + " a late result still completes them.");

    private final CamelContext context;
    private final Duration delay;
    private final Duration window;
    private final String replica;
    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;

    private static final class Batch {
        int count;
        /** Each line and how often it was noted, in the order first noted. */
        final Map<String, Integer> lines = new LinkedHashMap<>();
        Instant lastAlert;
        ScheduledFuture<?> pending;
    }

    public OperatorAlerts(CamelContext context, Duration delay, Duration window) {
        this(context, delay, window, Replica.DEFAULT);
    }

    public OperatorAlerts(CamelContext context, Duration delay, Duration window, String replica) {
        this.context = context;
        this.delay = delay;
        this.window = window;
        this.replica = replica;
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "igait-alerts");
    }

    @Override
    protected void doStop() {
        synchronized (this) {
            batches.forEach((name, b) -> {
                if (b.pending != null) {
                    b.pending.cancel(false);
                    b.pending = null;
                    LOG.warn("stopping with {} event(s) of kind '{}' not yet reported to the operator", b.count, name);
                }
            });
        }
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
            scheduler = null;
        }
    }

    /**
     * Notes one event; its line (ids and a reason, or an address; no personal data) goes into the next
     * alert of its kind, counted if the same line comes again. Returns true for the first event of a
     * new batch (the one worth a log line of its own).
     */
    public synchronized boolean note(Kind kind, String line) {
        Batch b = batches.computeIfAbsent(kind.name(), k -> new Batch());
        boolean first = b.count == 0;
        b.count++;
        if (b.lines.containsKey(line) || b.lines.size() < MAX_LINES) {
            b.lines.merge(line, 1, Integer::sum);
        }
        if (b.pending == null && scheduler != null) {
            long wait = delay.toMillis();
            if (b.lastAlert != null) {
                wait = Math.max(wait, Duration.between(Instant.now(), b.lastAlert.plus(window)).toMillis());
            }
            b.pending = scheduler.schedule(() -> send(kind), wait, TimeUnit.MILLISECONDS);
        }
        return first;
    }

    /** A duration in words: {@code 10 minutes}, {@code 1 hour}. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + (s == 3600 ? " hour" : " hours");
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + (s == 60 ? " minute" : " minutes");
        }
        return s + (s == 1 ? " second" : " seconds");
    }

    void send(Kind kind) {
        int count;
        Map<String, Integer> lines;
        synchronized (this) {
            Batch b = batches.get(kind.name());
            b.pending = null;
            if (b.count == 0) {
                return;
            }
            count = b.count;
            lines = new LinkedHashMap<>(b.lines);
            b.count = 0;
            b.lines.clear();
            b.lastAlert = Instant.now();
        }
        List<String> items = new ArrayList<>();
        int listed = 0;
        for (Map.Entry<String, Integer> e : lines.entrySet()) {
            int n = e.getValue();
            listed += n;
            String line = e.getKey();
            if (kind.unit() != null) {
                line += " (" + n + " " + kind.unit() + (n == 1 ? "" : "s") + ")";
            } else if (n > 1) {
                line += " (" + n + " times)";
            }
            items.add(line);
        }
        if (count > listed) {
            items.add("and " + (count - listed) + " more");
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        String subject = String.format(kind.subject(), count);
        if (!Replica.DEFAULT.equals(replica) && subject.startsWith("iGait: ")) {
            subject = "iGait (" + replica + "): " + subject.substring("iGait: ".length());
        }
        alert.put("subject", subject);
        alert.put("replica", replica);
        alert.put("countLabel", kind.countLabel());
        alert.put("count", count);
        alert.put("what", kind.what() + " Next report of this kind at most " + human(window) + " after this one.");
        alert.put("items", items);
        alert.put("time", MailTemplates.time(Instant.now()));
        LOG.warn("alert to the operator: {}", alert.get("subject"));
        if (context.getRoute("operator-alert") == null) {
            return;
        }
        try {
            ProducerTemplate template = context.createProducerTemplate();
            try {
                template.sendBody(ENDPOINT, alert);
            } finally {
                template.stop();
            }
        } catch (Exception e) {
            LOG.error("operator alert '{}' not sent: {}", alert.get("subject"), Errors.summary(e));
        }
    }
}
