package edu.niu.igait.app;

import java.nio.file.Path;

import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.job.DataFolderLock;
import edu.niu.igait.job.JobRepository;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * The beans the YAML routes call, built from the properties. Everything a route does that YAML
 * cannot say well lives behind one of these names.
 */
public class IgaitConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        Path dataDir = Path.of(settings.get("igait.data-dir", "data"));
        // Before anything touches the folder: a second service would remove the first one's uploads.
        DataFolderLock lock = DataFolderLock.take(dataDir);
        try {
            stopWithCamel(context, "the data folder lock", lock::close);
            JobRepository jobs = new JobRepository(dataDir);
            jobs.createLayout();
            jobs.removeOrphans();
            CompletionTickets tickets = new CompletionTickets(jobs);
            ObservabilityBeans.Ops ops = ObservabilityBeans.bind(context, settings, jobs);
            HttpBeans.bind(context, settings, jobs, tickets);
            if (settings.bool("igait.pipeline.enabled", true)) {
                PipelineBeans.bind(context, settings, jobs, ops);
            }
            ops.shutdown.receiver(HttpBeans.bindServer(context, settings, jobs));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Has {@code stop} run when Camel stops (after the routes, so nothing in flight still needs it). */
    static void stopWithCamel(CamelContext context, String what, Runnable stop) {
        try {
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    stop.run();
                }
            }, true, true);
        } catch (Exception e) {
            throw new StartupException("cannot register " + what + " for shutdown: " + e.getMessage(), e);
        }
    }
}
