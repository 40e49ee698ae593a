package edu.niu.igait.app;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

import edu.niu.igait.completion.CompletionMails;
import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.completion.Completions;
import edu.niu.igait.completion.ResultLinks;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.mail.Mails;
import edu.niu.igait.metis.MetisCommand;
import edu.niu.igait.metis.MetisSsh;
import edu.niu.igait.pipeline.Pipeline;
import edu.niu.igait.pipeline.StageWakeups;
import edu.niu.igait.pipeline.RetryPolicy;
import edu.niu.igait.pipeline.StageFailures;
import edu.niu.igait.s3.S3Setup;
import edu.niu.igait.s3.StoredObjects;
import edu.niu.igait.store.FirebaseJobStore;
import edu.niu.igait.store.JobStore;
import edu.niu.igait.store.LocalJobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.component.mail.MailComponent;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The beans of the stage routes, each checked against its properties at start-up. */
final class PipelineBeans {

    private PipelineBeans() {
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs, CompletionTickets tickets) {
        Duration linkValidity = settings.duration("igait.completion.link-validity", "7d");
        if (linkValidity.isNegative() || linkValidity.isZero() || linkValidity.compareTo(ResultLinks.MAX_VALIDITY) > 0) {
            throw new StartupException("igait.completion.link-validity must be more than 0 and at most 7d"
                    + " (the longest a presigned S3 URL can be valid), got " + settings.get("igait.completion.link-validity", "7d"));
        }
        JobStore store = store(settings, jobs);
        IgaitConfiguration.stopWithCamel(context, "the job store", store::close);
        Pipeline pipeline = new Pipeline(jobs, store);
        // Each stage polls its folder, and is woken as soon as a ticket is put there.
        StageWakeups wakeups = new StageWakeups();
        long pollDelay = settings.longValue("igait.stage.poll-delay-ms", 500);
        if (pollDelay <= 0) {
            throw new StartupException("igait.stage.poll-delay-ms must be a positive number of milliseconds");
        }
        for (String stage : JobRepository.STAGES) {
            context.getRegistry().bind("stageScheduler-" + stage, wakeups.add(stage, pollDelay));
        }
        pipeline.setWakeups(wakeups);
        jobs.onTicket(wakeups::wake);
        context.getRegistry().bind("jobStore", store);
        context.getRegistry().bind("pipeline", pipeline);
        context.getRegistry().bind("retryPolicy", new RetryPolicy(pipeline, settings.duration("igait.retry.give-up-after", "24h")));
        MetisSsh.HostKeyRejections refusedHostKeys = new MetisSsh.HostKeyRejections();
        context.getRegistry().bind("stageFailures", new StageFailures(pipeline, refusedHostKeys));

        // S3
        String bucket = settings.get("igait.s3.bucket", "igait-storage");
        S3Setup s3 = new S3Setup(settings.get("igait.s3.region", "us-east-2"), settings.get("igait.s3.endpoint", ""),
                settings.bool("igait.s3.path-style", false));
        S3Client client = s3.client();
        context.getRegistry().bind("s3Client", client);
        S3Presigner presigner = s3.presigner();
        context.getRegistry().bind("s3Presigner", presigner);
        context.getRegistry().bind("storedObjects", new StoredObjects(client, bucket, pipeline));

        // Metis
        String host = settings.get("igait.metis.host", "metis.niu.edu");
        int port = settings.intValue("igait.metis.port", 22);
        Duration commandTimeout = settings.duration("igait.metis.command-timeout", "60s");
        context.getRegistry().bind("metisKeys", MetisSsh.keys(settings.optional("igait.metis.key-file").orElse(null)));
        context.getRegistry().bind("metisClientBuilder",
                MetisSsh.clientBuilder(settings.optional("igait.metis.known-hosts").orElse(null), host, port, commandTimeout,
                        refusedHostKeys));
        context.getRegistry().bind("metisCommand", new MetisCommand(settings.get("igait.metis.command",
                "qsub -v USER_ID=${uid},JOB_ID=${jobId} /lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs")));

        // Mail
        String from = settings.required("igait.mail.from", "the sender address of the service's mails, e.g. igait@niu.edu");
        settings.required("igait.mail.host", "the SMTP server that sends the service's mails");
        configureMail(context, settings);
        MailTemplates templates = new MailTemplates(Path.of(settings.get("igait.mail.templates-dir", "routes/mail")), from);
        context.getRegistry().bind("mailTemplates", templates);
        context.getRegistry().bind("mails", new Mails(templates, pipeline, settings.get("igait.mail.operator", "")));

        // Completion (stage 5)
        context.getRegistry().bind("completions", new Completions(jobs, store, tickets));
        context.getRegistry().bind("completionMails", new CompletionMails(templates,
                new ResultLinks(client, presigner, bucket, linkValidity)));
    }

    private static JobStore store(Settings settings, JobRepository jobs) {
        String kind = settings.get("igait.store", "firebase");
        return switch (kind) {
            case "firebase" -> new FirebaseJobStore(
                    settings.optional("igait.firebase.database-url").orElse(System.getenv("FIREBASE_DATABASE_URL")),
                    settings.duration("igait.firebase.timeout", "30s").toMillis());
            case "local" -> new LocalJobStore(Path.of(settings.get("igait.local-store.dir", jobs.dataDir().resolve("dev/db").toString())));
            default -> throw new StartupException("igait.store must be firebase or local, got '" + kind + "'");
        };
    }

    /** SMTP settings go on the component, so that no password ever sits in an endpoint URI. */
    private static void configureMail(CamelContext context, Settings settings) {
        String security = settings.get("igait.mail.security", "none").toLowerCase(Locale.ROOT);
        String protocol;
        Properties props = new Properties();
        String timeout = Long.toString(settings.duration("igait.mail.timeout", "30s").toMillis());
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
        context.getPropertiesComponent().addOverrideProperty("igait.mail.protocol", protocol);
        MailComponent component = context.getComponent(protocol, MailComponent.class);
        component.getConfiguration().setAdditionalJavaMailProperties(props);
        settings.optional("igait.mail.username").ifPresent(user -> {
            component.getConfiguration().setUsername(user);
            component.getConfiguration().setPassword(settings.secret("IGAIT_MAIL_PASSWORD", "igait.mail.password").orElse(null));
        });
    }

}
