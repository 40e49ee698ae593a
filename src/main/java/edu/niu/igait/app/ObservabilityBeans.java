package edu.niu.igait.app;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.firebase.internal.FirebaseProcessEnvironment;

import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.health.DataFolderCheck;
import edu.niu.igait.health.FreeDiskCheck;
import edu.niu.igait.health.PeerHealth;
import edu.niu.igait.health.PeerProbes;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.ExchangeMdc;
import edu.niu.igait.metrics.ScrapedRegistry;
import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.metrics.StageGauges;
import edu.niu.igait.stages.StageEvents;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator sees of the service, on the management port ({@code camel.management.*}): the
 * readiness checks of the data folder and the free disk, one health check per peer with its probe,
 * the service's meters next to Camel's and the JVM's, the job's ids on every log line, and what happens
 * when it is asked to stop ({@code igait.shutdown.drain}).
 */
final class ObservabilityBeans {

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");

    private ObservabilityBeans() {
    }

    /** The meters and checks every service has, the intake alone included; returned for the pipeline's wiring. */
    static Ops bind(CamelContext context, Settings settings, JobRepository jobs) {
        // Camel's Prometheus support (camel.metrics.*) takes the registry bound under this name.
        ScrapedRegistry registry = meterRegistry(context);
        apiRoutesOnTheApiServer(context, settings);
        ServiceMetrics metrics = new ServiceMetrics(registry);
        context.getRegistry().bind("serviceMetrics", metrics);
        StageGauges gauges = new StageGauges(jobs.dataDir().resolve(JobRepository.STAGES), registry);
        // A stage folder made after start-up (a completion's ticket with the pipeline off) is in the next scrape.
        registry.beforeScrape(gauges::registerStages);

        // The job's ids on the log lines of every route step, taken off again after it.
        context.getCamelContextExtension().addInterceptStrategy(new ExchangeMdc());

        // Readiness beside Camel's own (context started, routes started): the data folder and its disk.
        long minFree = HttpBeans.bytes(settings, "igait.limits.min-free-disk");
        DataFolderCheck data = new DataFolderCheck(jobs.dataDir(), jobs.uploadsDir());
        FreeDiskCheck disk = new FreeDiskCheck(jobs.uploadsDir(), minFree);
        data.setCamelContext(context);
        disk.setCamelContext(context);
        context.getRegistry().bind("health-data-folder", data);
        context.getRegistry().bind("health-free-disk", disk);

        Duration drain = settings.duration("igait.shutdown.drain");
        if (drain.isNegative()) {
            throw new StartupException("igait.shutdown.drain must be 0 or more, got " + settings.get("igait.shutdown.drain"));
        }
        // The whole stop takes at most camel.main.shutdown-timeout: the uploads' drain gets two thirds of it
        // at most, so that the 503 is written and the stages' steps finish before Camel forces the rest down.
        long shutdownSeconds = settings.longValue("camel.main.shutdown-timeout");
        Duration bound = Duration.ofSeconds(Math.max(0, shutdownSeconds)).multipliedBy(2).dividedBy(3);
        if (drain.compareTo(bound) > 0) {
            LOG.warn("igait.shutdown.drain ({}) does not fit in camel.main.shutdown-timeout ({} s): uploads in progress get {} ms on a"
                    + " stop", settings.get("igait.shutdown.drain"), shutdownSeconds, bound.toMillis());
            drain = bound;
        }
        ShutdownDrain shutdown = new ShutdownDrain(drain);
        context.getManagementStrategy().addEventNotifier(shutdown);

        Ops ops = new Ops(metrics, gauges, new LinkedHashMap<>(), shutdown);
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    declareStages(started, metrics, gauges);
                }
            });
        } catch (Exception e) {
            throw new StartupException("cannot register the stages' meters: " + e.getMessage(), e);
        }
        return ops;
    }

    /**
     * With the management server there are two Vert.x servers in the context, and Camel's platform-http
     * engine no longer finds "the" server to learn its port: it would look for port 8080's router. The
     * routes' {@code platform-http:} endpoints are told the API's port ({@code camel.server.port}).
     */
    private static void apiRoutesOnTheApiServer(CamelContext context, Settings settings) {
        int apiPort = settings.intValue("camel.server.port");
        context.getComponent("platform-http", PlatformHttpComponent.class).setEngine(new VertxPlatformHttpEngine() {
            @Override
            public int getServerPort() {
                return apiPort > 0 ? apiPort : super.getServerPort();
            }
        });
    }

    /**
     * The registry {@code /observe/metrics} is scraped from: bound before Camel configures its metrics
     * (camel.metrics.*), which then take it instead of making their own ({@link IgaitMain} adds the listener).
     */
    static final class MeterRegistryFirst extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            meterRegistry(main.getCamelContext());
        }
    }

    private static ScrapedRegistry meterRegistry(CamelContext context) {
        Object found = context.getRegistry().lookupByName(MicrometerConstants.METRICS_REGISTRY_NAME);
        if (found instanceof ScrapedRegistry registry) {
            return registry;
        }
        if (found != null) {
            throw new StartupException("a meter registry of another kind is bound as '" + MicrometerConstants.METRICS_REGISTRY_NAME
                    + "' (" + found.getClass().getName() + "): the service's metrics need its own, edu.niu.igait.metrics.ScrapedRegistry");
        }
        ScrapedRegistry registry = new ScrapedRegistry();
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        return registry;
    }

    /** The stages as the routes made them (routes/stage.yaml's parameters) and as their folders are. */
    private static void declareStages(CamelContext context, ServiceMetrics metrics, StageGauges gauges) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model != null) {
            for (RouteDefinition route : model.getRouteDefinitions()) {
                Map<String, Object> params = route.getTemplateParameters();
                if (params != null && params.get("stage") instanceof String stage) {
                    Object peer = params.get("peer");
                    metrics.declareStage(stage, peer == null ? null : peer.toString());
                    gauges.register(stage);
                }
            }
        }
        gauges.registerStages();
    }

    /**
     * One health check per peer the pipeline talks to, probed on a timer, and told what the stages see
     * ({@link Ops#stageEvents()}).
     */
    static void bindPeers(CamelContext context, Settings settings, Ops ops) {
        Duration interval = settings.duration("igait.health.probe-interval");
        Duration timeout = settings.duration("igait.health.probe-timeout");
        if (interval.toMillis() <= 0 || timeout.toMillis() <= 0) {
            throw new StartupException("igait.health.probe-interval and igait.health.probe-timeout must be positive durations");
        }
        long maxRetryDelay = settings.longValue("igait.retry.max-delay-ms");
        // A stage's failure speaks for its peer while a retry can be expected: two of the longest retry delays.
        Duration stageMemory = Duration.ofMillis(Math.max(2 * maxRetryDelay, 2 * interval.toMillis()));
        List<PeerHealth> peers = new ArrayList<>();
        if ("firebase".equals(settings.get("igait.store"))) {
            String emulator = FirebaseProcessEnvironment.getenv("FIREBASE_DATABASE_EMULATOR_HOST");
            if (emulator != null && !emulator.isBlank()) {
                peers.add(peer("Firebase", "FIREBASE_DATABASE_EMULATOR_HOST", "http://" + emulator.trim(), stageMemory));
            } else {
                String url = settings.optional("igait.firebase.database-url").orElse(System.getenv("FIREBASE_DATABASE_URL"));
                if (url != null && !url.isBlank()) {
                    peers.add(peer("Firebase", "igait.firebase.database-url", url, stageMemory));
                }
            }
        }
        String s3 = settings.get("igait.s3.endpoint");
        peers.add(s3.isEmpty()
                ? new PeerHealth("S3", "s3." + settings.get("igait.s3.region") + ".amazonaws.com", 443, stageMemory)
                : peer("S3", "igait.s3.endpoint", s3, stageMemory));
        peers.add(new PeerHealth("Metis", settings.get("igait.metis.host"), settings.intValue("igait.metis.port"),
                stageMemory));
        peers.add(new PeerHealth("mail", settings.required("igait.mail.host", "the SMTP server that sends the service's mails"),
                settings.intValue("igait.mail.port"), stageMemory));
        for (PeerHealth peer : peers) {
            peer.setCamelContext(context);
            context.getRegistry().bind("health-" + peer.getId().replace(':', '-'), peer);
            ops.peers.put(peer.peer().toLowerCase(Locale.ROOT), peer);
        }
        try {
            context.addService(new PeerProbes(context, peers, interval, timeout), true, true);
        } catch (Exception e) {
            throw new StartupException("cannot start the peers' probes: " + e.getMessage(), e);
        }
    }

    private static PeerHealth peer(String name, String property, String url, Duration stageMemory) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new StartupException(property + " must be a URL such as https://host:port, got '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw new StartupException(property + " must be a URL such as https://host:port, got '" + url + "'");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        return new PeerHealth(name, uri.getHost(), port, stageMemory);
    }

    /** What the wiring of the pipeline needs of the above. */
    static final class Ops {
        final ServiceMetrics metrics;
        final StageGauges gauges;
        final Map<String, PeerHealth> peers;
        final ShutdownDrain shutdown;

        Ops(ServiceMetrics metrics, StageGauges gauges, Map<String, PeerHealth> peers, ShutdownDrain shutdown) {
            this.metrics = metrics;
            this.gauges = gauges;
            this.peers = peers;
            this.shutdown = shutdown;
        }

        /** The stages' reports, to the meters and to the health of the peer concerned. */
        StageEvents stageEvents() {
            return new StageEvents() {
                @Override
                public void passed(Ticket ticket, Duration attempt) {
                    metrics.stagePassed(ticket.stage, attempt);
                    PeerHealth peer = ticket.peer == null ? null : peers.get(ticket.peer.toLowerCase(Locale.ROOT));
                    if (peer != null) {
                        peer.stageSucceeded(ticket.stage);
                    }
                }

                @Override
                public void retried(Ticket ticket, String peerName, Throwable error) {
                    metrics.stageRetried(ticket.stage, peerName);
                    PeerHealth peer = peerName == null ? null : peers.get(peerName.toLowerCase(Locale.ROOT));
                    if (peer != null) {
                        peer.stageFailed(ticket.stage, error);
                    }
                }

                @Override
                public void failed(Ticket ticket, String stage, String peerName, Throwable error, boolean routeError) {
                    metrics.jobFailed(stage, peerName, error, routeError);
                }
            };
        }
    }
}
