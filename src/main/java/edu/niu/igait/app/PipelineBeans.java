package edu.niu.igait.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;

import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.mail.MailSender;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.mail.OperatorAlerts;
import edu.niu.igait.metis.MetisCommand;
import edu.niu.igait.metis.MetisSsh;
import edu.niu.igait.s3.ResultLinks;
import edu.niu.igait.s3.S3Setup;
import edu.niu.igait.s3.StoredObjects;
import edu.niu.igait.stages.CompleteStage;
import edu.niu.igait.stages.ContributionStatus;
import edu.niu.igait.health.StageFoldersCheck;
import edu.niu.igait.stages.DeadLetter;
import edu.niu.igait.stages.FailedSteps;
import edu.niu.igait.stages.JobStatus;
import edu.niu.igait.stages.NotifyStage;
import edu.niu.igait.stages.OverdueResults;
import edu.niu.igait.stages.RecordStage;
import edu.niu.igait.stages.Retries;
import edu.niu.igait.stages.RouteStatus;
import edu.niu.igait.stages.RetryTimer;
import edu.niu.igait.stages.StageEvents;
import edu.niu.igait.stages.StageFolders;
import edu.niu.igait.stages.StatusTexts;
import edu.niu.igait.stages.StoreStage;
import edu.niu.igait.stages.SubmitStage;
import edu.niu.igait.stages.TicketWatch;
import edu.niu.igait.stages.Tickets;
import edu.niu.igait.store.FirebaseJobStore;
import edu.niu.igait.logging.Replica;
import edu.niu.igait.store.JobStore;
import edu.niu.igait.store.LocalJobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.Registry;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The beans the pipeline's routes name ({@code routes/stage.yaml}, {@code routes/errors.yaml},
 * {@code routes/mail.yaml}, {@code routes/stages/*.yaml}): one per stage, named like its file, and
 * the peer clients the routes' endpoints use, each checked against its properties at start-up.
 */
final class PipelineBeans {

    private PipelineBeans() {
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs, OperatorAlerts alerts,
                     ObservabilityBeans.Ops ops) {
        Registry registry = context.getRegistry();
        Duration linkValidity = settings.duration("igait.completion.link-validity");
        if (linkValidity.isNegative() || linkValidity.isZero() || linkValidity.compareTo(ResultLinks.MAX_VALIDITY) > 0) {
            throw new StartupException("igait.completion.link-validity must be more than 0 and at most 7d"
                    + " (the longest a presigned S3 URL can be valid), got " + settings.get("igait.completion.link-validity"));
        }
        if (settings.longValue("igait.stage.poll-delay-ms") <= 0) {
            throw new StartupException("igait.stage.poll-delay-ms must be a positive number of milliseconds");
        }
        StatusTexts texts = new StatusTexts(name -> settings.optional(name).orElse(null));
        registry.bind("statusTexts", texts);
        String support = settings.required("igait.support-address", "the address parents may write to, shown in every mail");
        String replica = Replica.of(settings.get(Replica.PROPERTY));

        JobStore store = peer(context, "jobStore", JobStore.class, () -> store(settings, jobs), JobStore::close);
        JobStatus status = new JobStatus(jobs, store);
        ContributionStatus contributionStatus = new ContributionStatus(jobs, store);
        registry.bind("contributionStatus", contributionStatus);
        // A scheduler of its own for each stage's consumer: it polls, and wakes the stage when a ticket lands.
        registry.bindAsPrototype("ticketWatch", TicketWatch.class, TicketWatch::new);
        // The peers' health checks, and the stages' reports to them and to the meters.
        ObservabilityBeans.bindPeers(context, settings, ops);
        StageEvents events = ops.stageEvents();
        // Which folders under data/stages/ a route reads: a stage removed while jobs waited in it is reported.
        StageFolders folders = new StageFolders(jobs, context);
        stageFolders(context, folders, alerts);
        registry.bind("tickets", new Tickets(jobs, context, status, events));
        // What a stage written in YAML may do to the status the app shows (README, What routes can use).
        registry.bind("jobStatus", new RouteStatus(status));
        // The step that failed, with its route, file and line, for the alert about a mistake in a route.
        context.getCamelContextExtension().addInterceptStrategy(new FailedSteps());
        registry.bind("retries", new Retries(jobs, status, contributionStatus, texts,
                settings.duration("igait.retry.give-up-after"), events));
        // The timer the retries wait on (routes/errors.yaml): released at once when the service stops.
        RetryTimer retryTimer = new RetryTimer();
        IgaitConfiguration.stopWithCamel(context, "the retry timer", retryTimer::shutdownNow);
        registry.bind("retryTimer", retryTimer);
        ops.shutdown.retries(retryTimer);
        registry.bind("deadLetter", new DeadLetter(jobs, status, contributionStatus, texts, alerts, events, folders));
        registry.bind("overdueResults", new OverdueResults(jobs, store, status, texts, alerts,
                settings.duration("igait.metis.result-timeout")));

        // S3
        String bucket = settings.get("igait.s3.bucket");
        S3Setup s3 = new S3Setup(settings.get("igait.s3.region"), settings.get("igait.s3.endpoint"),
                settings.bool("igait.s3.path-style"));
        S3Client client = peer(context, "s3Client", S3Client.class, s3::client, null);
        S3Presigner presigner = peer(context, "s3Presigner", S3Presigner.class, s3::presigner, S3Presigner::close);

        // Metis
        String host = settings.get("igait.metis.host");
        int port = settings.intValue("igait.metis.port");
        Duration commandTimeout = settings.duration("igait.metis.command-timeout");
        peer(context, "metisKeys", KeyPairProvider.class,
                () -> MetisSsh.keys(settings.optional("igait.metis.key-file").orElse(null)), null);
        peer(context, "metisClientBuilder", ClientBuilder.class,
                () -> MetisSsh.clientBuilder(settings.optional("igait.metis.known-hosts").orElse(null), host, port, commandTimeout), null);
        MetisCommand commands = new MetisCommand(settings.required("igait.metis.command", "the qsub Metis runs for a job"),
                settings.required("igait.metis.check-command", "the question to PBS whether it has a job"));

        // Mail
        settings.required("igait.mail.from", "the sender address of the service's mails, e.g. igait@niu.edu");
        peer(context, "mailSender", MailSender.class, () -> mailSender(settings), null);
        registry.bind("mailTemplates", new MailTemplates());

        // One bean per stage, named like its file in routes/stages.
        registry.bind("record", new RecordStage(jobs, store, replica));
        registry.bind("store", new StoreStage(jobs, status, texts, new StoredObjects(client, bucket)));
        registry.bind("submit", new SubmitStage(jobs, store, status, texts, commands));
        registry.bind("notify", new NotifyStage(jobs, status, texts, support));
        registry.bind("complete", new CompleteStage(jobs, store, texts, new ResultLinks(client, presigner, bucket, linkValidity),
                support, replica));
    }

    /**
     * The readiness check of the stage folders, and the start-up report of those no route reads (once
     * every route has started: a stage is whatever route reads its folder).
     */
    private static void stageFolders(CamelContext context, StageFolders folders, OperatorAlerts alerts) {
        StageFoldersCheck check = new StageFoldersCheck(folders::stranded, folders::advice);
        check.setCamelContext(context);
        context.getRegistry().bind("health-stage-folders", check);
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    folders.report(alerts);
                }
            });
        } catch (Exception e) {
            throw new StartupException("cannot register the stage folders' report: " + e.getMessage(), e);
        }
    }

    /**
     * A peer's client (the job store, S3, Metis's SSH keys and client, the mail sender), made from the
     * properties and bound under its name, to be stopped with Camel. One already in the registry under
     * that name is used as it is and left to whoever bound it: the route tests bind stand-ins there
     * from a configuration added ahead of the service's.
     */
    private static <T> T peer(CamelContext context, String name, Class<T> type, Supplier<T> make, Consumer<T> close) {
        T bound = context.getRegistry().lookupByNameAndType(name, type);
        if (bound != null) {
            return bound;
        }
        T made = make.get();
        context.getRegistry().bind(name, type, made);
        if (close != null) {
            IgaitConfiguration.stopWithCamel(context, name, () -> close.accept(made));
        }
        return made;
    }

    private static JobStore store(Settings settings, JobRepository jobs) {
        String kind = settings.get("igait.store");
        return switch (kind) {
            case "firebase" -> new FirebaseJobStore(
                    settings.optional("igait.firebase.database-url").orElse(System.getenv("FIREBASE_DATABASE_URL")),
                    settings.duration("igait.firebase.timeout").toMillis());
            case "local" -> new LocalJobStore(Path.of(settings.get("igait.local-store.dir")));
            default -> throw new StartupException("igait.store must be firebase or local, got '" + kind + "'");
        };
    }

    /** The SMTP connection: the password never sits in an endpoint URI. */
    private static MailSender mailSender(Settings settings) {
        String host = settings.required("igait.mail.host", "the SMTP server that sends the service's mails");
        String security = settings.get("igait.mail.security").toLowerCase(Locale.ROOT);
        MailSender sender = new MailSender();
        Properties props = new Properties();
        String timeout = Long.toString(settings.duration("igait.mail.timeout").toMillis());
        String protocol;
        switch (security) {
            case "none" -> protocol = "smtp";
            case "starttls" -> {
                protocol = "smtp";
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.starttls.required", "true");
                props.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case "ssl" -> {
                protocol = "smtps";
                props.put("mail.smtps.ssl.checkserveridentity", "true");
            }
            default -> throw new StartupException("igait.mail.security must be none, starttls or ssl, got '" + security + "'");
        }
        settings.optional("igait.mail.ssl-trust").ifPresent(t -> {
            props.put("mail.smtp.ssl.trust", t);
            props.put("mail.smtps.ssl.trust", t);
        });
        for (String p : new String[] {"smtp", "smtps"}) {
            props.put("mail." + p + ".connectiontimeout", timeout);
            props.put("mail." + p + ".timeout", timeout);
            props.put("mail." + p + ".writetimeout", timeout);
        }
        sender.setProtocol(protocol);
        sender.setHost(host);
        sender.setPort(settings.intValue("igait.mail.port"));
        sender.setJavaMailProperties(props);
        settings.optional("igait.mail.username").ifPresent(user -> {
            sender.setUsername(user);
            sender.setPassword(settings.secret("IGAIT_MAIL_PASSWORD", "igait.mail.password").orElse(null));
            props.put("mail." + protocol + ".auth", "true");
        });
        return sender;
    }
}
