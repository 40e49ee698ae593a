package edu.niu.igait.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.http.ApiLoad;
import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.ErrorBody;
import edu.niu.igait.job.Job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The service's own meters ({@code igait_*} on {@code /observe/metrics}): what the uploads, the
 * completions and the stages did. The routes call the upload and completion methods
 * ({@code routes/intake.yaml}, {@code routes/completion.yaml}); the stages report through
 * {@code StageEvents}. Every label value is bounded: an outcome, an error code the service itself
 * answers with, a stage or peer as the routes declare them, a reason code made here. Never a uid, an
 * email address or a submission id.
 */
public class ServiceMetrics {

    public static final String UPLOADS = "igait.uploads";
    public static final String UPLOAD_BYTES = "igait.upload.bytes";
    public static final String UPLOAD_TIME = "igait.upload";
    public static final String STAGE_TIME = "igait.stage";
    public static final String STAGE_RETRIES = "igait.stage.retries";
    public static final String JOBS_FAILED = "igait.jobs.failed";
    public static final String COMPLETIONS = "igait.completions";
    public static final String CONTRIBUTIONS = "igait.contributions";
    public static final String COMPLETION_REFUSED = "igait.completion.refused";
    public static final String CONNECTIONS = "igait.http.connections";
    public static final String CONNECTIONS_CLOSED = "igait.http.connections.closed";
    public static final String WORKERS_BUSY = "igait.http.workers.busy";
    public static final String WORKERS = "igait.http.workers";
    public static final String UPLOADS_IN_PROGRESS = "igait.uploads.in.progress";
    public static final String COMPLETIONS_IN_PROGRESS = "igait.completions.in.progress";
    public static final String UPLOAD_MEMORY = "igait.upload.memory";
    public static final String RESUMABLE_IN_PROGRESS = "igait.resumable.uploads.in.progress";
    public static final String RESUMABLE_BYTES = "igait.resumable.bytes";
    public static final String RESUMABLE_RESUMPTIONS = "igait.resumable.resumptions";

    /** The exchange property where the error answer (http.ErrorBody) leaves the code it answered with. */
    public static final String ANSWERED_CODE = ErrorBody.ANSWERED_CODE;
    private static final String UPLOAD_STARTED = "igaitUploadStarted";
    private static final String ACCEPTED = "igaitAccepted";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]{1,40}");

    /** Upload times: from a phone over a slow link an upload of two videos can take an hour. */
    private static final Duration[] UPLOAD_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600);
    /** One pass of a stage: milliseconds for Firebase, minutes for a large S3 upload. */
    private static final Duration[] STAGE_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(900)};

    private final MeterRegistry registry;
    private final Counter uploadBytes;
    private final Timer uploadTime;
    private final java.util.List<Object> watched = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Registered at once, so a dashboard sees them (as 0) before the first upload or completion.
        uploads("accepted", "");
        uploadBytes = Counter.builder(UPLOAD_BYTES).baseUnit("bytes").description("Bytes of the videos of accepted uploads")
                .register(registry);
        uploadTime = Timer.builder(UPLOAD_TIME).description("Accepted uploads, from the request to the 202")
                .serviceLevelObjectives(UPLOAD_BUCKETS).register(registry);
        completions("ok");
        completions("err");
        completionRefused("unauthorized");
    }

    /**
     * What the API holds now, and what its connections' caps and deadlines cut: open connections and the
     * ones the service closed by reason, worker threads busy and in all, uploads and completions in
     * progress, upload bytes waiting in memory. Read at each scrape, never stored here.
     */
    public void watchApi(ApiLoad load) {
        io.micrometer.core.instrument.Gauge.builder(CONNECTIONS, load, ApiLoad::connectionsOpen)
                .description("Connections open on the API port").register(registry);
        for (ConnectionGuard.Reason reason : ConnectionGuard.Reason.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder(CONNECTIONS_CLOSED, load, l -> l.connectionsClosed(reason))
                    .description("API connections the service closed on its own, by reason (max_connections,"
                            + " connections_per_address: refused at accept; header_timeout: no request line and headers in time)")
                    .tag("reason", reason.label).register(registry);
        }
        io.micrometer.core.instrument.Gauge.builder(WORKERS_BUSY, load, ApiLoad::workersBusy)
                .description("API worker threads running a request now").register(registry);
        io.micrometer.core.instrument.Gauge.builder(WORKERS, load, ApiLoad::workers)
                .description("API worker threads in all").register(registry);
        io.micrometer.core.instrument.Gauge.builder(UPLOADS_IN_PROGRESS, load, ApiLoad::uploadsInProgress)
                .description("Uploads being read now (each holds a slot of igait.limits.concurrent-uploads)").register(registry);
        io.micrometer.core.instrument.Gauge.builder(COMPLETIONS_IN_PROGRESS, load, ApiLoad::completionsInProgress)
                .description("Completion calls being read now (igait.limits.concurrent-completions)").register(registry);
        io.micrometer.core.instrument.Gauge.builder(UPLOAD_MEMORY, load, ApiLoad::uploadMemoryBytes).baseUnit("bytes")
                .description("Upload bytes received and not yet written (igait.limits.upload-memory)").register(registry);
    }

    /**
     * The resumable uploads (tus, /api/v1/files): those made and not finished, the bytes appended to them
     * and on disk, and the PATCHes that went on where an earlier one was cut off. Read at each scrape.
     */
    public void watchResumable(LongSupplier unfinished, LongSupplier bytes, LongSupplier resumptions) {
        // Micrometer holds the objects it reads weakly: these live as long as the metrics do.
        watched.addAll(java.util.List.of(unfinished, bytes, resumptions));
        io.micrometer.core.instrument.Gauge.builder(RESUMABLE_IN_PROGRESS, unfinished, LongSupplier::getAsLong)
                .description("Resumable uploads made and not finished (nor expired)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(RESUMABLE_BYTES, bytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("Bytes appended to resumable uploads and on disk").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(RESUMABLE_RESUMPTIONS, resumptions, LongSupplier::getAsLong)
                .description("PATCHes of resumable uploads that went on where an earlier one was cut off (network, client, restart)")
                .register(registry);
    }



    public MeterRegistry registry() {
        return registry;
    }

    // ---- uploads (routes/intake.yaml) ----

    /** The upload route's first step: the clock starts; a request that does not end accepted counts as refused. */
    public void uploadBegins(Exchange exchange) {
        exchange.setProperty(UPLOAD_STARTED, System.nanoTime());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!Boolean.TRUE.equals(done.getProperty(ACCEPTED))) {
                    uploads("refused", reason(done)).increment();
                }
            }
        });
    }

    /** After intake.persist: the upload is on disk, its ticket handed on. */
    public void uploadAccepted(Job job, Exchange exchange) {
        exchange.setProperty(ACCEPTED, true);
        uploads("accepted", "").increment();
        uploadBytes.increment((double) job.front.bytes + job.side.bytes);
        Long started = exchange.getProperty(UPLOAD_STARTED, Long.class);
        if (started != null) {
            uploadTime.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private Counter uploads(String outcome, String reason) {
        return Counter.builder(UPLOADS).description("Upload requests by outcome (accepted, refused) and the error code of a refusal")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }

    /** The code the error answer gave, as a label: a code of the API's own, or client_gone when nobody was answered. */
    private static String reason(Exchange done) {
        String code = done.getProperty(ANSWERED_CODE, String.class);
        if (code == null) {
            return "client_gone";
        }
        return LABEL.matcher(code).matches() ? code : "other";
    }

    // ---- research contributions (routes/contribute/intake.yaml) ----

    /** The contribution route's first step: a request that does not end accepted counts as refused. */
    public void contributionBegins(Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!Boolean.TRUE.equals(done.getProperty(ACCEPTED))) {
                    contributions("refused", reason(done)).increment();
                }
            }
        });
    }

    /** After contributions.persist: the contribution is on disk, its ticket handed on. */
    public void contributionAccepted(Exchange exchange) {
        exchange.setProperty(ACCEPTED, true);
        contributions("accepted", "").increment();
    }

    private Counter contributions(String outcome, String reason) {
        return Counter.builder(CONTRIBUTIONS)
                .description("Research contributions (POST /api/v1/contribute) by outcome (accepted, refused) and the error code of a refusal")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }

    // ---- completions (routes/completion.yaml) ----

    /** The completion route's first step: a call that does not end accepted counts as refused. */
    public void completionBegins(Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!Boolean.TRUE.equals(done.getProperty(ACCEPTED))) {
                    completionRefused(reason(done)).increment();
                }
            }
        });
    }

    /** After the completion was persisted as a ticket: what Metis reported, OK or ERR. */
    public void completionAccepted(String statusCode, Exchange exchange) {
        exchange.setProperty(ACCEPTED, true);
        completions("ERR".equals(statusCode) ? "err" : "ok").increment();
    }

    private Counter completionRefused(String reason) {
        return Counter.builder(COMPLETION_REFUSED)
                .description("Calls to POST /api/v1/completion refused, by the error code answered (unauthorized, a malformed"
                        + " form's code, forbidden, busy, form_timeout, ..., client_gone)")
                .tag("reason", reason).register(registry);
    }

    private Counter completions(String status) {
        return Counter.builder(COMPLETIONS).description("Results Metis posted and the service accepted, by status (ok, err)")
                .tag("status", status).register(registry);
    }

    // ---- stages ----

    /** One successful pass of a stage. */
    public void stagePassed(String stage, Duration attempt) {
        stageTime(stage).record(attempt);
    }

    /** A stage's steps run again because {@code peer} failed. */
    public void stageRetried(String stage, String peer) {
        retries(stage, peer).increment();
    }

    /** A job failed for good in {@code stage}; {@code routeError}: a mistake in a route (routes/errors.yaml says which). */
    public void jobFailed(String stage, String peer, Throwable error, boolean routeError) {
        Counter.builder(JOBS_FAILED)
                .description("Jobs that failed for good, by stage and reason (<peer>_refused, <peer>_gave_up, malformed, route_error)")
                .tag("stage", label(stage, "unknown")).tag("reason", routeError ? "route_error" : failureReason(peer, error))
                .register(registry).increment();
    }

    /** Makes a stage's meters exist (as 0) before its first job: for dashboards, and so a first retry counts in increase(). */
    public void declareStage(String stage, String peer) {
        stageTime(stage);
        if (peer != null && !"none".equals(peer)) {
            retries(stage, peer);
        }
    }

    private Timer stageTime(String stage) {
        return Timer.builder(STAGE_TIME).description("One successful pass of a stage (the attempt that succeeded)")
                .tag("stage", label(stage, "unknown")).serviceLevelObjectives(STAGE_BUCKETS).register(registry);
    }

    private Counter retries(String stage, String peer) {
        return Counter.builder(STAGE_RETRIES).description("Retries of a stage's steps, by stage and the peer that failed")
                .tag("stage", label(stage, "unknown")).tag("peer", peerLabel(peer)).register(registry);
    }

    /** A failure's reason as a short code: the peer and refused or gave_up, or malformed. */
    static String failureReason(String peer, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MalformedJob) {
                return "malformed";
            }
            if (t instanceof PeerRefused refused) {
                return code(refused.peer()) + "_refused";
            }
        }
        String p = code(peer);
        return p.equals("none") || p.equals("unknown") ? "gave_up" : p + "_gave_up";
    }

    private static String code(String peer) {
        String p = peer == null ? "unknown" : peer.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return LABEL.matcher(p).matches() ? p : "other";
    }

    /** A peer as the stages name it (Firebase, S3, Metis, mail), bounded. */
    private static String peerLabel(String peer) {
        return label(peer, "none");
    }

    /** A stage or peer name from the routes: kept as it is when it looks like one, else a fixed word. */
    private static String label(String value, String otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        return value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,39}") ? value : "other";
    }

    private static Duration[] seconds(long... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofSeconds(values[i]);
        }
        return d;
    }
}
