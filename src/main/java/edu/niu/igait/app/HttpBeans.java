package edu.niu.igait.app;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import edu.niu.igait.auth.IdTokens;
import edu.niu.igait.auth.SigningKeys;
import edu.niu.igait.completion.AccessKey;
import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.completion.CompletionValidator;
import edu.niu.igait.completion.RefusedCalls;
import edu.niu.igait.mail.OperatorAlerts;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.health.ApiSaturationCheck;
import edu.niu.igait.http.ApiLoad;
import edu.niu.igait.http.Authentication;
import edu.niu.igait.http.Cidr;
import edu.niu.igait.http.ClientAddress;
import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.Cors;
import edu.niu.igait.http.EdgeHeaders;
import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.http.MinimumRate;
import edu.niu.igait.http.RateWindow;
import edu.niu.igait.http.ServerTls;
import edu.niu.igait.http.TunedVertx;
import edu.niu.igait.http.UploadLimits;
import edu.niu.igait.logging.Replica;
import edu.niu.igait.intake.Intake;
import edu.niu.igait.intake.MemoryBudget;
import edu.niu.igait.intake.UploadReceiver;
import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.resumable.ResumableUploads;
import edu.niu.igait.resumable.Tus;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The beans of the HTTP edge: the upload route, the completion endpoint, the server itself. */
final class HttpBeans {

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");
    /**
     * Worker threads beyond the uploads and completions in progress (each holds one while its body arrives,
     * both capped), for every other request: the caps leave these free whatever the clients do.
     */
    static final int WORKER_HEADROOM = 16;
    /** The bean that watches the API server's connections. */
    static final String CONNECTION_GUARD = "connectionGuard";
    /** Who is calling: the socket's address or a trusted proxy's X-Forwarded-For. */
    static final String CLIENT_ADDRESS = "clientAddress";
    /** An upload holds its worker thread until its body is stored: over a slow phone link that can take hours. */
    static final long MAX_WORKER_EXECUTE_HOURS = 6;

    /** The bean that holds the resumable uploads (data/files). */
    static final String RESUMABLE_UPLOADS = "resumableUploads";

    private HttpBeans() {
    }

    /**
     * Resumable uploads (tus, routes/files.yaml): data/files, read as a crash or a stop left it, and the
     * protocol's bean {@code tus}. Their expiry and the bytes a uid may hold unsubmitted stop start-up when
     * they make no sense.
     */
    private static void resumable(CamelContext context, Settings settings, JobRepository jobs, long maxVideoBytes) {
        java.time.Duration expireAfter = positive(settings, "igait.resumable.expire-after");
        long perUserBytes = bytes(settings, "igait.resumable.per-user-bytes");
        if (perUserBytes < maxVideoBytes) {
            throw new StartupException("igait.resumable.per-user-bytes must be at least igait.upload.max-video-bytes ("
                    + maxVideoBytes + "), got " + perUserBytes + ": no video could be uploaded");
        }
        ResumableUploads uploads = ResumableUploads.open(jobs.dataDir().resolve("files"), Replica.of(settings.get(Replica.PROPERTY)),
                expireAfter, perUserBytes, Clock.systemUTC());
        context.getRegistry().bind(RESUMABLE_UPLOADS, uploads);
        context.getRegistry().bind("tus", new Tus(uploads, context.getRegistry().lookupByNameAndType("httpEdge", HttpEdge.class), maxVideoBytes));
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs, CompletionTickets tickets, OperatorAlerts alerts) {
        AccessKey accessKey = accessKey(settings);
        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes");
        long maxFormBytes = settings.longValue("igait.http.max-form-bytes");
        if (maxFormBytes < 1024) {
            throw new StartupException("igait.http.max-form-bytes must be at least 1024, got " + maxFormBytes);
        }
        UploadValidator validator = new UploadValidator(maxVideoBytes,
                settings.get("igait.upload.extensions"),
                settings.get("igait.upload.sexes"))
                .bounds(UploadValidator.Bounds.parse("igait.upload.age", settings.get("igait.upload.age")),
                        UploadValidator.Bounds.parse("igait.upload.weight", settings.get("igait.upload.weight")));

        ClientAddress clients = new ClientAddress(Cidr.parseList("igait.http.trusted-proxies",
                settings.get("igait.http.trusted-proxies")));
        context.getRegistry().bind(CLIENT_ADDRESS, clients);
        UploadLimits limits = limits(settings, jobs);
        java.time.Duration storeTimeout = positive(settings, "igait.limits.store-timeout");
        String replica = Replica.of(settings.get(Replica.PROPERTY));
        StoredCounts contributions = StoredCounts.requests(context, settings, ContributionBeans.REQUESTS);
        if (contributions != null && settings.bool("igait.pipeline.enabled")) {
            // One of several replicas: a user's uploads and contributions on the others count too, asked of the job store
            // at once (the one-machine service reads nothing more); each replica notes the contributions it accepts there.
            limits.countElsewhere(StoredCounts.uploads(context, replica, storeTimeout).and(contributions));
            context.getRegistry().bind(ContributionBeans.COUNTED_ELSEWHERE, contributions);
        }
        ConnectionGuard guard = new ConnectionGuard(atLeast(settings, "igait.http.max-connections", 1),
                atLeast(settings, "igait.limits.connections-per-address", 1),
                positive(settings, "igait.http.header-timeout").toMillis(), clients);
        context.getRegistry().bind(CONNECTION_GUARD, guard);
        Authentication authentication = authentication(settings);
        context.getRegistry().bind("httpEdge", new HttpEdge(authentication, limits, clients, maxVideoBytes,
                Cidr.parseList("igait.completion.allowed-sources", settings.get("igait.completion.allowed-sources")),
                atLeast(settings, "igait.limits.concurrent-completions", 1), mailToToken(settings, authentication)));
        context.getRegistry().bind("uploadValidator", validator);
        resumable(context, settings, jobs, maxVideoBytes);
        context.getRegistry().bind("intake", new Intake(jobs, settings.required("igait.status.recording", "the status value of a job just received")));
        context.getRegistry().bind("health", new edu.niu.igait.http.Health(jobs));

        RefusedCalls refused = new RefusedCalls(alerts);
        context.getRegistry().bind("completionValidator", new CompletionValidator(accessKey, refused, maxFormBytes, guard,
                positive(settings, "igait.http.form-timeout").toMillis()));
        context.getRegistry().bind("completionTickets", tickets);

        // No request header or query parameter reaches a message, no message header an answer unless meant to.
        context.getComponent("platform-http", PlatformHttpComponent.class).setHeaderFilterStrategy(new EdgeHeaders());
    }

    /**
     * The HTTP server's Vert.x and the upload reader; made last, so a refused start-up leaves no threads.
     * The routes run on Vert.x's worker pool, where an upload holds a thread until its body is stored and
     * a completion until its form is read and kept: the pool has one per upload and per completion allowed
     * at once and {@link #WORKER_HEADROOM} more.
     */
    static UploadReceiver bindServer(CamelContext context, Settings settings, JobRepository jobs, ServiceMetrics metrics) {
        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes");
        long idleSeconds = settings.duration("igait.http.idle-timeout").toSeconds();
        int concurrent = settings.intValue("igait.limits.concurrent-uploads");
        int completions = settings.intValue("igait.limits.concurrent-completions");
        long uploadMemory = bytes(settings, "igait.limits.upload-memory");
        if (uploadMemory < 1024 * 1024) {
            throw new StartupException("igait.limits.upload-memory must be at least 1MiB, got " + uploadMemory + " bytes");
        }
        MinimumRate minRate = MinimumRate.of("igait.http.body-min-rate", bytes(settings, "igait.http.body-min-rate"),
                "igait.http.body-min-rate-window", settings.duration("igait.http.body-min-rate-window"));
        ConnectionGuard guard = context.getRegistry().lookupByNameAndType(CONNECTION_GUARD, ConnectionGuard.class);
        Cors cors = Cors.parse(settings.get(Cors.ORIGINS), settings.duration(Cors.MAX_AGE));
        ServerTls tls = ServerTls.fromSettings(settings).orElse(null);
        VertxOptions options = new VertxOptions()
                .setWorkerPoolSize(concurrent + completions + WORKER_HEADROOM)
                .setMaxWorkerExecuteTime(MAX_WORKER_EXECUTE_HOURS)
                .setMaxWorkerExecuteTimeUnit(TimeUnit.HOURS);
        TunedVertx tuned = new TunedVertx(options, (int) Math.min(idleSeconds, Integer.MAX_VALUE), tls, cors,
                settings.intValue("camel.server.port"), guard);
        if (!cors.origins().isEmpty()) {
            LOG.info("browsers may call the API from {} ({})", String.join(", ", cors.origins()), Cors.ORIGINS);
        }
        context.getRegistry().bind("vertx", tuned.vertx());
        IgaitConfiguration.stopWithCamel(context, "Vert.x", tuned.vertx()::close);
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                    if (settings.bool("camel.server.enabled") && tuned.tunedServers() == 0) {
                        throw new StartupException("the HTTP server was not created through edu.niu.igait.http.TunedVertx: Camel or"
                                + " Vert.x changed how the platform's server is made, so chunk size, idle time-out, h2c and the JSON"
                                + " 404/405 are not set (see TunedVertxTest)");
                    }
                }
            });
        } catch (Exception e) {
            throw new StartupException("cannot register the HTTP server's start-up check: " + e.getMessage(), e);
        }
        UploadReceiver receiver = new UploadReceiver(jobs.uploadsDir(), maxVideoBytes, new MemoryBudget(uploadMemory), guard, minRate);
        receiver.bodyTimeout(positive(settings, "igait.http.body-timeout"));
        ResumableUploads resumable = context.getRegistry().lookupByNameAndType(RESUMABLE_UPLOADS, ResumableUploads.class);
        receiver.finishedUploads(resumable);
        metrics.watchResumable(resumable::unfinished, resumable::bytesReceived, resumable::resumptions);
        IgaitConfiguration.stopWithCamel(context, "the upload receiver", receiver::stop);
        context.getRegistry().bind("uploadReceiver", receiver);

        HttpEdge edge = context.getRegistry().lookupByNameAndType("httpEdge", HttpEdge.class);
        ApiLoad load = new ApiLoad() {
            @Override
            public int connectionsOpen() {
                return guard.open();
            }

            @Override
            public long connectionsClosed(ConnectionGuard.Reason reason) {
                return guard.closed(reason);
            }

            @Override
            public int workersBusy() {
                return tuned.workersBusy();
            }

            @Override
            public int workers() {
                return tuned.workerPoolSize();
            }

            @Override
            public long uploadsInProgress() {
                return edge.limits().inProgress();
            }

            @Override
            public int uploadSlots() {
                return edge.limits().concurrent();
            }

            @Override
            public int completionsInProgress() {
                return edge.completionsInProgress();
            }

            @Override
            public int completionSlots() {
                return completions;
            }

            @Override
            public long uploadMemoryBytes() {
                return receiver.queuedBytes();
            }
        };
        context.getRegistry().bind("apiLoad", load);
        metrics.watchApi(load);
        ApiSaturationCheck saturation = new ApiSaturationCheck(load);
        saturation.setCamelContext(context);
        context.getRegistry().bind("health-api-saturation", saturation);
        return receiver;
    }

    /** An int property of at least {@code min}. */
    static int atLeast(Settings settings, String name, int min) {
        int value = settings.intValue(name);
        if (value < min) {
            throw new StartupException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** A duration property longer than 0. */
    static java.time.Duration positive(Settings settings, String name) {
        java.time.Duration value = settings.duration(name);
        if (value.isZero() || value.isNegative()) {
            throw new StartupException(name + " must be longer than 0 (e.g. 10s), got '" + settings.get(name) + "'");
        }
        return value;
    }

    /**
     * {@code igait.mail.recipient}: {@code form} mails the address the form gives; {@code token} the signed-in
     * account's verified email (needs sign-in, so {@code igait.auth.mode=firebase}).
     */
    static boolean mailToToken(Settings settings, Authentication authentication) {
        String recipient = settings.get("igait.mail.recipient").strip();
        switch (recipient) {
            case "form" -> {
                return false;
            }
            case "token" -> {
                if (!authentication.required()) {
                    throw new StartupException("igait.mail.recipient=token mails the signed-in account's verified email, and "
                            + Authentication.MODE + "=none signs nobody in: set " + Authentication.MODE
                            + "=firebase, or igait.mail.recipient=form");
                }
                return true;
            }
            default -> throw new StartupException("igait.mail.recipient must be form or token, got '" + recipient + "'");
        }
    }

    private static UploadLimits limits(Settings settings, JobRepository jobs) {
        int concurrent = settings.intValue("igait.limits.concurrent-uploads");
        if (concurrent < 1) {
            throw new StartupException("igait.limits.concurrent-uploads must be at least 1, got " + concurrent);
        }
        long minFree = bytes(settings, "igait.limits.min-free-disk");
        return new UploadLimits(
                RateWindow.parse("igait.limits.per-user", settings.get("igait.limits.per-user")),
                RateWindow.parse("igait.limits.per-address", settings.get("igait.limits.per-address")),
                concurrent, atLeast(settings, "igait.limits.concurrent-uploads-per-user", 1),
                atLeast(settings, "igait.limits.concurrent-uploads-per-address", 1), minFree, jobs.uploadsDir());
    }

    /** A size in bytes: a whole number, or one with KiB, MiB, GiB or TiB (binary) or KB, MB, GB, TB (decimal). */
    static long bytes(Settings settings, String name) {
        String text = settings.get(name);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,19})\\s*([KMGT]i?B)?", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(text.trim());
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(java.util.Locale.ROOT);
                long factor = switch (unit) {
                    case "" -> 1L;
                    case "KIB" -> 1L << 10;
                    case "MIB" -> 1L << 20;
                    case "GIB" -> 1L << 30;
                    case "TIB" -> 1L << 40;
                    case "KB" -> 1_000L;
                    case "MB" -> 1_000_000L;
                    case "GB" -> 1_000_000_000L;
                    default -> 1_000_000_000_000L;
                };
                return Math.multiplyExact(n, factor);
            } catch (ArithmeticException | NumberFormatException e) {
                // out of range: refused below
            }
        }
        throw new StartupException("property " + name + " must be a size such as 2147483648, 512MiB or 2GiB, got '" + text + "'");
    }

    /** {@code igait.auth.mode}: firebase (the default) needs the project; none takes every upload as it comes. */
    static Authentication authentication(Settings settings) {
        String mode = settings.get(Authentication.MODE);
        switch (mode) {
            case "firebase" -> {
                String project = settings.required("igait.auth.project-id",
                        "the Firebase project whose ID tokens sign uploads in (" + Authentication.MODE + "=firebase)");
                String url = settings.get("igait.auth.keys-url");
                URI keys;
                try {
                    keys = URI.create(url);
                    if (keys.isOpaque() && "file".equalsIgnoreCase(keys.getScheme())) {
                        // file:data/dev/auth/jwks.json: relative to the working directory, as the other paths are
                        keys = java.nio.file.Path.of(keys.getSchemeSpecificPart()).toAbsolutePath().toUri();
                    }
                } catch (IllegalArgumentException e) {
                    keys = null;
                }
                if (keys == null || keys.getScheme() == null
                        || !List.of("https", "http", "file").contains(keys.getScheme().toLowerCase(java.util.Locale.ROOT))) {
                    throw new StartupException("igait.auth.keys-url must be an https:, http: or file: URL of a JWKS document, got '"
                            + url + "'");
                }
                java.time.Duration refresh = settings.duration("igait.auth.keys-refresh-interval");
                return Authentication.firebase(new IdTokens(project, new SigningKeys(keys, refresh, Clock.systemUTC()), Clock.systemUTC()));
            }
            case "none" -> {
                LOG.warn("{}=none: uploads and the status endpoint are NOT authenticated (dev and tests only)", Authentication.MODE);
                return Authentication.none();
            }
            default -> throw new StartupException(Authentication.MODE + " must be firebase or none, got '" + mode + "'");
        }
    }

    /**
     * The key Metis presents, from env IGAIT_ACCESS_KEY first, then igait.access-key. Required in the
     * prod profile; elsewhere its absence only means that every completion is refused.
     */
    static AccessKey accessKey(Settings settings) {
        String key = settings.secret(AccessKey.ENV, AccessKey.PROPERTY).orElse(null);
        boolean prod = settings.optional(IgaitMain.PROFILE).map(p -> java.util.Arrays.stream(p.split(","))
                .anyMatch(x -> x.trim().equals("prod"))).orElse(false);
        if (key == null) {
            if (prod) {
                throw new StartupException("the access key Metis presents on POST /api/v1/completion is required in the prod profile:"
                        + " set the environment variable " + AccessKey.ENV + " (or the property " + AccessKey.PROPERTY + ")");
            }
            LOG.warn("no access key ({} or {}): every POST /api/v1/completion will be refused with 401",
                    AccessKey.ENV, AccessKey.PROPERTY);
        } else {
            java.util.List<String> keys = AccessKey.keys(key);
            if (keys.size() > AccessKey.MAX_KEYS) {
                throw new StartupException(AccessKey.ENV + " holds " + keys.size() + " keys: at most " + AccessKey.MAX_KEYS
                        + " (the old and the new one while the key is changed), separated by a comma");
            }
            for (String k : keys) {
                if (k.length() < 16) {
                    LOG.warn("a key of the access key ({}) has only {} characters: use at least 16 random ones", AccessKey.ENV, k.length());
                }
            }
        }
        return new AccessKey(key);
    }
}
