package edu.niu.igait.app;

import edu.niu.igait.completion.AccessKey;
import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.completion.CompletionValidator;
import edu.niu.igait.completion.RefusedCalls;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.ApiGuard;
import edu.niu.igait.intake.Intake;
import edu.niu.igait.intake.Submissions;
import edu.niu.igait.intake.UploadReceiver;
import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.JobRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextRoutesStartingEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The beans of the HTTP edge: the upload and status routes, the completion endpoint, the server itself. */
final class HttpBeans {

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");

    private HttpBeans() {
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs, CompletionTickets tickets) {
        AccessKey accessKey = accessKey(settings);
        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes", 524_288_000L);
        UploadValidator validator = new UploadValidator(maxVideoBytes,
                settings.get("igait.upload.extensions", "mp4,mov,avi,mkv,webm,m4v,wmv,flv,3gp"),
                settings.get("igait.upload.sexes", "M,F,O"));

        context.getRegistry().bind("uploadValidator", validator);
        context.getRegistry().bind("intake", new Intake(jobs));
        context.getRegistry().bind("submissions", new Submissions(jobs));
        context.getRegistry().bind("health", new edu.niu.igait.http.Health(jobs));

        RefusedCalls refused = new RefusedCalls(context,
                settings.duration("igait.completion.alert-delay", "1m"),
                settings.duration("igait.completion.alert-window", "10m"));
        try {
            context.addService(refused, true, true);
        } catch (Exception e) {
            throw new StartupException("cannot start the refused-calls counter: " + e.getMessage(), e);
        }
        context.getRegistry().bind("completionValidator", new CompletionValidator(accessKey, refused));
        context.getRegistry().bind("completionTickets", tickets);
    }

    /** The HTTP server's Vert.x and the handlers on its router; made last, so a refused start-up leaves no threads. */
    static void bindServer(CamelContext context, Settings settings, JobRepository jobs) {
        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes", 524_288_000L);
        long idleSeconds = settings.duration("igait.http.idle-timeout", "120s").toSeconds();
        io.vertx.core.Vertx vertx = edu.niu.igait.http.TunedVertx.create((int) Math.min(idleSeconds, Integer.MAX_VALUE));
        context.getRegistry().bind("vertx", vertx);
        IgaitConfiguration.stopWithCamel(context, "Vert.x", vertx::close);
        ApiGuard guard = new ApiGuard(maxVideoBytes, settings.longValue("igait.http.max-form-bytes", 65_536L));
        UploadReceiver receiver = new UploadReceiver(jobs.uploadsDir(), maxVideoBytes);
        IgaitConfiguration.stopWithCamel(context, "the upload receiver", receiver::stop);
        // The router is registered under the port's name: lookup(context) alone finds only port 8080's.
        String routerName = VertxPlatformHttpRouter.getRouterNameFromPort(
                settings.intValue("camel.server.port", 8080));
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelContextRoutesStartingEvent) {
                    VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, routerName);
                    if (router != null) {
                        guard.install(router);
                        receiver.install(router);
                    }
                }
            }
        });
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
        } else if (key.length() < 16) {
            LOG.warn("the access key ({}) has only {} characters: use at least 16 random ones", AccessKey.ENV, key.length());
        }
        return new AccessKey(key);
    }
}
