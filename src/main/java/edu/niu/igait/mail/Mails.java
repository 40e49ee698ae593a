package edu.niu.igait.mail;

import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.job.Job;
import edu.niu.igait.pipeline.Pipeline;
import org.apache.camel.Exchange;

/** The mails of the pipeline, each from its template: what goes into which. */
public class Mails {

    private final MailTemplates templates;
    private final Pipeline pipeline;
    private final String operator;

    public Mails(MailTemplates templates, Pipeline pipeline, String operator) {
        this.templates = templates;
        this.pipeline = pipeline;
        this.operator = operator;
    }

    /** The welcome mail the replaced service sent, to the address given with the upload. */
    public void welcome(Exchange exchange) {
        Job job = pipeline.jobs().get(exchange.getProperty(Pipeline.SID, String.class));
        templates.prepare(exchange, "welcome", job.email, jobValues(job));
    }

    /** Whether alerts can go anywhere: igait.mail.operator is set. */
    public boolean hasOperator() {
        return operator != null && !operator.isBlank();
    }

    /** Fills the alert template for the operator (the body is the alert's values); see {@link #hasOperator()}. */
    public void alert(Exchange exchange) {
        prepareAlert(exchange);
    }

    /** An alert for the operator; false when no operator address is configured. */
    public boolean prepareAlert(Exchange exchange) {
        if (!hasOperator()) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> alert = exchange.getIn().getBody(Map.class);
        Map<String, Object> values = new LinkedHashMap<>(alert);
        values.put("time", java.time.Instant.now());
        templates.prepare(exchange, "operator-alert", operator, values);
        exchange.getMessage().setHeader("Subject", String.valueOf(alert.getOrDefault("subject", "iGait alert")));
        return true;
    }

    public static Map<String, Object> jobValues(Job job) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("submittedAt", job.submittedAt);
        v.put("age", job.age);
        v.put("ethnicity", job.ethnicity);
        v.put("sex", job.sex);
        v.put("height", job.height);
        v.put("weight", job.weight);
        v.put("uid", job.uid);
        v.put("jobId", job.jobId);
        v.put("submissionId", job.submissionId);
        return v;
    }
}
