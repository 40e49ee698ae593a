package edu.niu.igait.app;

import java.time.Duration;

import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.RateWindow;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.mail.TextTemplates;
import edu.niu.igait.records.Access;
import edu.niu.igait.records.HistoryRequests;
import edu.niu.igait.records.HistoryStage;
import edu.niu.igait.records.JobFiles;
import edu.niu.igait.records.Records;
import edu.niu.igait.records.SubmissionList;
import edu.niu.igait.records.Submissions;
import edu.niu.igait.s3.JobObjects;
import edu.niu.igait.s3.ResultLinks;
import edu.niu.igait.store.JobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The beans of a parent's own records: the status of a submission (routes/intake.yaml), and with the
 * pipeline's peers (the job store, S3, mail) the list, a job's files and the history by mail
 * (routes/records.yaml, routes/stages/h1-history.yaml). Bound after the pipeline's beans, whose peer
 * clients they share.
 */
final class RecordsBeans {

    private RecordsBeans() {
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs) {
        Registry registry = context.getRegistry();
        boolean pipeline = settings.bool("igait.pipeline.enabled");
        // Without the pipeline there is no job store: only this machine's records, and no administrators.
        JobStore store = pipeline ? registry.lookupByNameAndType("jobStore", JobStore.class) : null;
        Records records = new Records(jobs, store,
                settings.required("igait.status.complete", "the status value a Complete job shows"),
                settings.required("igait.status.inference-failed", "the status value an InferenceErr job shows"));
        Duration cache = settings.duration("igait.records.administrator-cache");
        if (cache.isNegative()) {
            throw new StartupException("igait.records.administrator-cache must be 0s or more (e.g. 1m), got "
                    + settings.get("igait.records.administrator-cache"));
        }
        Access access = new Access(store, cache);
        registry.bind("submissions", new Submissions(records, access));
        if (!pipeline) {
            return;
        }
        double threshold = threshold(settings);
        Duration apiValidity = linkValidity(settings, "igait.links.api-validity");
        Duration historyValidity = linkValidity(settings, "igait.links.history-validity");
        RateWindow perUser = RateWindow.parse("igait.limits.history-per-user", settings.get("igait.limits.history-per-user"));
        JobObjects objects = new JobObjects(registry.lookupByNameAndType("s3Client", S3Client.class),
                registry.lookupByNameAndType("s3Presigner", S3Presigner.class), settings.get("igait.s3.bucket"));
        registry.bind("submissionList", new SubmissionList(records, access, threshold));
        registry.bind("jobFiles", new JobFiles(records, access, objects, apiValidity));
        HistoryRequests historyRequests = new HistoryRequests(jobs, perUser, settings.longValue("igait.http.max-form-bytes"),
                registry.lookupByNameAndType(HttpBeans.CONNECTION_GUARD, ConnectionGuard.class),
                settings.duration("igait.http.form-timeout").toMillis());
        StoredCounts counts = StoredCounts.requests(context, settings, "history");
        if (counts != null) {
            // One of several replicas: the uid's history requests on the others count too, noted in the job store.
            historyRequests.countElsewhere(counts, counts::note);
        }
        registry.bind("historyRequests", historyRequests);
        registry.bind("history", new HistoryStage(records, objects, jobs, threshold, historyValidity,
                settings.required("igait.support-address", "the address parents may write to, shown in every mail")));
        // The report's template (routes/mail/history-report.txt): Mustache with values escaped for text, not HTML.
        registry.bind(TextTemplates.COMPONENT, TextTemplates.component());
    }

    /** {@code igait.results.asd-threshold}: a Complete job whose score is above it is classed ASD. */
    private static double threshold(Settings settings) {
        String text = settings.get("igait.results.asd-threshold");
        try {
            double threshold = Double.parseDouble(text.strip());
            if (Double.isFinite(threshold)) {
                return threshold;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new StartupException("igait.results.asd-threshold must be a number such as 0.5, got '" + text + "'");
    }

    private static Duration linkValidity(Settings settings, String name) {
        Duration validity = settings.duration(name);
        if (validity.isNegative() || validity.isZero() || validity.compareTo(ResultLinks.MAX_VALIDITY) > 0) {
            throw new StartupException(name + " must be more than 0 and at most 7d (the longest a presigned S3 URL can be valid), got "
                    + settings.get(name));
        }
        return validity;
    }
}
