package edu.niu.igait.completion;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.mail.MailTemplates;
import org.apache.camel.Exchange;

/**
 * The mails of stage 5, from the templates {@code result.html} (OK) and {@code failure.html} (ERR)
 * under {@code igait.mail.templates-dir}, to the address stored with the job. Values are the stored
 * job's, as the app shows them.
 */
public class CompletionMails {

    public static final String SUPPORT = "GaitStudy@niu.edu";

    private final MailTemplates templates;
    private final ResultLinks links;

    public CompletionMails(MailTemplates templates, ResultLinks links) {
        this.templates = templates;
        this.links = links;
    }

    /** The result: the score, the submitted data, links to the keyframed videos. */
    public void result(Exchange exchange) {
        CompletionRequest request = exchange.getProperty(Completions.REQUEST, CompletionRequest.class);
        Map<String, Object> job = Completions.map(exchange.getProperty(Completions.STORED_JOB));
        Map<String, String> urls = links.keyframed(request.uid(), request.jobId());
        Map<String, Object> values = values(request, job);
        values.put("score", request.statusContent());
        for (String field : new String[] {"age", "ethnicity", "sex", "height", "weight"}) {
            values.put(field, job.get(field));
        }
        values.put("frontUrl", urls.get("front"));
        values.put("sideUrl", urls.get("side"));
        values.put("linkValidity", RefusedCalls.human(links.validity()));
        values.put("linksExpire", Instant.now().plus(links.validity()));
        templates.prepare(exchange, "result", (String) job.get("email"), values);
    }

    /** The failure: the reason Metis gave. */
    public void failure(Exchange exchange) {
        CompletionRequest request = exchange.getProperty(Completions.REQUEST, CompletionRequest.class);
        Map<String, Object> job = Completions.map(exchange.getProperty(Completions.STORED_JOB));
        Map<String, Object> values = values(request, job);
        values.put("reason", request.statusContent());
        values.put("statusCode", Completions.finalCode(request).name());
        templates.prepare(exchange, "failure", (String) job.get("email"), values);
    }

    private static Map<String, Object> values(CompletionRequest request, Map<String, Object> job) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("submittedAt", submittedAt(job));
        v.put("uid", request.uid());
        v.put("jobId", request.jobId());
        v.put("support", SUPPORT);
        return v;
    }

    /** The app's {@code timestamp}: {@code {"secs_since_epoch", "nanos_since_epoch"}}. */
    static Instant submittedAt(Map<String, Object> job) {
        Map<String, Object> timestamp = Completions.map(job.get("timestamp"));
        if (timestamp == null || !(timestamp.get("secs_since_epoch") instanceof Number secs)) {
            return null;
        }
        long nanos = timestamp.get("nanos_since_epoch") instanceof Number n ? n.longValue() : 0;
        return Instant.ofEpochSecond(secs.longValue(), nanos);
    }
}
