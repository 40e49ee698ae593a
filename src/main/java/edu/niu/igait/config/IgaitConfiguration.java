package edu.niu.igait.config;

import java.nio.file.Path;

import edu.niu.igait.http.ApiGuard;
import edu.niu.igait.intake.Intake;
import edu.niu.igait.intake.Submissions;
import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.JobRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextRoutesStartingEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;

/**
 * The beans the YAML routes call, built from the properties. Everything a route does that YAML
 * cannot say well lives behind one of these names.
 */
public class IgaitConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        Path dataDir = Path.of(settings.get("igait.data-dir", "data"));
        JobRepository jobs = new JobRepository(dataDir);
        jobs.createLayout();
        jobs.removeOrphans();

        long maxVideoBytes = settings.longValue("igait.upload.max-video-bytes", 524_288_000L);
        UploadValidator validator = new UploadValidator(maxVideoBytes,
                settings.get("igait.upload.extensions", "mp4,mov,avi,mkv,webm,m4v,wmv,flv,3gp"),
                settings.get("igait.upload.sexes", "M,F,O"));

        context.getRegistry().bind("jobRepository", jobs);
        context.getRegistry().bind("uploadValidator", validator);
        context.getRegistry().bind("intake", new Intake(jobs));
        context.getRegistry().bind("submissions", new Submissions(jobs));

        ApiGuard guard = new ApiGuard(maxVideoBytes, settings.longValue("igait.http.max-form-bytes", 65_536L));
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
                    }
                }
            }
        });
    }
}
