package edu.niu.igait.app;

import java.nio.file.Path;

import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.job.DataFolderLock;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.mail.OperatorAlerts;
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
        Path dataDir = Path.of(settings.get("igait.data-dir"));
        // Before anything touches the folder: a second service would remove the first one's uploads.
        DataFolderLock lock = DataFolderLock.take(dataDir);
        try {
            stopWithCamel(context, "the data folder lock", lock::close);
            JobRepository jobs = new JobRepository(dataDir);
            jobs.createLayout();
            jobs.removeOrphans();
            retention(context, settings, jobs);
            CompletionTickets tickets = new CompletionTickets(jobs);
            // One alerts service for every kind (failed jobs, refused calls, overdue results): grouped per window.
            OperatorAlerts alerts = new OperatorAlerts(context, settings.duration("igait.alerts.delay"),
                    settings.duration("igait.alerts.window"), edu.niu.igait.logging.Replica.of(settings.get(edu.niu.igait.logging.Replica.PROPERTY)));
            try {
                context.addService(alerts, true, true);
            } catch (Exception e) {
                throw new StartupException("cannot start the operator alerts: " + e.getMessage(), e);
            }
            httpClientDeadlines(context, settings);
            ObservabilityBeans.Ops ops = ObservabilityBeans.bind(context, settings, jobs);
            HttpBeans.bind(context, settings, jobs, tickets, alerts);
            ops.shutdown.guard(context.getRegistry().lookupByNameAndType(HttpBeans.CONNECTION_GUARD, edu.niu.igait.http.ConnectionGuard.class));
            if (settings.bool("igait.pipeline.enabled")) {
                PipelineBeans.bind(context, settings, jobs, alerts, ops);
            }
            RecordsBeans.bind(context, settings, jobs);
            if (settings.bool("igait.pipeline.enabled")) {
                ContributionBeans.bind(context, settings, jobs);
            }
            ops.shutdown.receiver(HttpBeans.bindServer(context, settings, jobs, ops.metrics));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The daily sweep of routes/retention.yaml: finished jobs' local records, kept igait.retention.local after their last change. */
    private static void retention(CamelContext context, Settings settings, JobRepository jobs) {
        java.time.Duration keep = settings.duration("igait.retention.local");
        if (keep.isZero() || keep.isNegative()) {
            throw new StartupException("igait.retention.local must be longer than 0 (e.g. 30d), got '" + settings.get("igait.retention.local") + "'");
        }
        java.time.Duration period = settings.duration("igait.retention.sweep-period");
        if (period.isZero() || period.isNegative()) {
            throw new StartupException("igait.retention.sweep-period must be longer than 0 (e.g. 1d), got '"
                    + settings.get("igait.retention.sweep-period") + "'");
        }
        settings.duration("igait.retention.first-sweep");
        context.getRegistry().bind("retention", new edu.niu.igait.job.Retention(jobs, keep, java.time.Clock.systemUTC()));
    }

    /**
     * The deadlines of camel-http's calls (igait.http-client.*), given to the http and https components
     * when a route first makes one: a customizer in the registry, so that a service without such a route
     * makes neither at start-up (as camel.component.http.* properties would). Those properties, if an
     * integrator sets them, are bound after it and win.
     */
    private static void httpClientDeadlines(CamelContext context, Settings settings) {
        long connect = settings.duration("igait.http-client.connect-timeout").toMillis();
        long response = settings.duration("igait.http-client.response-timeout").toMillis();
        if (connect <= 0 || response <= 0) {
            throw new StartupException("igait.http-client.connect-timeout and igait.http-client.response-timeout must be longer than 0");
        }
        context.getRegistry().bind("httpClientDeadlines", org.apache.camel.spi.ComponentCustomizer.forType(
                org.apache.camel.component.http.HttpComponent.class, http -> {
                    http.setConnectTimeout(connect);
                    http.setConnectionRequestTimeout(connect);
                    http.setResponseTimeout(response);
                    http.setSoTimeout(response);
                }));
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
