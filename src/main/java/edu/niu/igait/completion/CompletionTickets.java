package edu.niu.igait.completion;

import edu.niu.igait.job.Uid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.logging.JobFields;
import edu.niu.igait.logging.Subsystem;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion tickets: one file per call in {@code data/stages/5-complete/}, written atomically
 * (temp name, fsync, rename) before the 202. Named
 * {@code <uid>.<jobId>.<received, UTC>.<random>.json}, so that {@code ls} shows which job each is for,
 * two calls never share a name, and no name looks like a submission id (the tickets of uploads).
 */
public class CompletionTickets {

    private static final Logger LOG = LoggerFactory.getLogger("igait.completion");

    private final JobRepository jobs;

    public CompletionTickets(JobRepository jobs) {
        this.jobs = jobs;
    }

    /** Writes the ticket for stage 5, durably; returns the 202 body. */
    public Map<String, Object> persist(CompletionRequest request, String stage, Exchange exchange) {
        Instant now = Instant.now();
        Ticket ticket = new Ticket();
        ticket.completionUid = request.uid();
        ticket.completionJobId = request.jobId();
        ticket.statusCode = request.statusCode();
        ticket.statusContent = request.statusContent();
        ticket.receivedAt = now;
        HttpMessage http = exchange.getIn(HttpMessage.class);
        ticket.caller = http == null ? null : CompletionValidator.caller(http.getRequest());
        String name = name(request, now);
        jobs.writeTicket(stage, name, ticket);
        // The job's ids as log fields for the rest of this route step (logging.ExchangeMdc restores them after it).
        JobFields.put(null, request.uid(), request.jobId(), null);
        LOG.info(Subsystem.INTAKE, "job {} for uid {}: completion {} from Metis accepted as {}", request.jobId(), request.uid(),
                request.statusCode(), name);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("ticket", name);
        body.put("userId", request.uid());
        body.put("jobId", request.jobId());
        body.put("statusCode", request.statusCode());
        return body;
    }

    static String name(CompletionRequest request, Instant at) {
        if (!Uid.isValid(request.uid())) {
            throw new IllegalArgumentException("not a uid");
        }
        return Ticket.uniqueName(request.uid() + "." + request.jobId(), at);
    }
}
