package edu.niu.igait.completion;

import edu.niu.igait.job.Uid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.MalformedJobException;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.pipeline.RetryState;
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

    public static final String STAGE = "5-complete";
    private static final Pattern NAME = Pattern.compile(
            "[A-Za-z0-9_-]{1,128}\\.[0-9]{1,10}\\.[0-9]{8}T[0-9]{9}Z\\.[A-Za-z0-9_-]{8}\\.json");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger("igait.completion");

    private final JobRepository jobs;

    public CompletionTickets(JobRepository jobs) {
        this.jobs = jobs;
    }

    public static boolean isTicketName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Writes the ticket for stage 5, durably; returns the 202 body. */
    public Map<String, Object> persist(CompletionRequest request, Exchange exchange) {
        Instant now = Instant.now();
        CompletionTicket ticket = new CompletionTicket();
        ticket.uid = request.uid();
        ticket.jobId = request.jobId();
        ticket.statusCode = request.statusCode();
        ticket.statusContent = request.statusContent();
        ticket.receivedAt = now;
        HttpMessage http = exchange.getIn(HttpMessage.class);
        ticket.caller = http == null ? null : CompletionValidator.caller(http.getRequest());
        String name = name(request, now);
        try {
            DurableFiles.write(jobs.stageDir(STAGE).resolve(name), jobs.json().writeValueAsBytes(ticket));
            jobs.ticketWritten(STAGE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the completion ticket for job " + request.jobId(), e);
        }
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
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return request.uid() + "." + request.jobId() + "." + STAMP.format(at) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + ".json";
    }

    /** Reads a ticket; one that cannot be read or names no valid job cannot be retried into shape. */
    public CompletionTicket read(Path file) {
        CompletionTicket ticket;
        try {
            ticket = jobs.json().readValue(file.toFile(), CompletionTicket.class);
        } catch (IOException e) {
            throw new MalformedJobException("completion ticket " + file.getFileName() + " cannot be read: " + e.getMessage());
        }
        if (ticket.uid == null || !Uid.isValid(ticket.uid) || ticket.jobId < 0
                || !(CompletionRequest.OK.equals(ticket.statusCode) || CompletionRequest.ERR.equals(ticket.statusCode))
                || ticket.statusContent == null) {
            throw new MalformedJobException("completion ticket " + file.getFileName() + " is incomplete");
        }
        return ticket;
    }

    /** The ticket's retry state, kept in the ticket itself (rewritten atomically). */
    public RetryState retryState(Path file, CompletionTicket ticket) {
        return new RetryState() {
            @Override
            public Instant failingSince(String stage) {
                return ticket.retry != null && stage.equals(ticket.retry.stage) ? ticket.retry.since : null;
            }

            @Override
            public int noteAttempt(String stage, String error) {
                if (ticket.retry == null || !stage.equals(ticket.retry.stage)) {
                    ticket.retry = new Job.Retry();
                    ticket.retry.stage = stage;
                    ticket.retry.since = Instant.now();
                }
                ticket.retry.attempts++;
                ticket.retry.lastError = error;
                save(file, ticket);
                return ticket.retry.attempts;
            }

            @Override
            public void clear() {
                if (ticket.retry != null) {
                    ticket.retry = null;
                    save(file, ticket);
                }
            }
        };
    }

    private void save(Path file, CompletionTicket ticket) {
        try {
            DurableFiles.write(file, jobs.json().writeValueAsBytes(ticket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update completion ticket " + file.getFileName(), e);
        }
    }
}
