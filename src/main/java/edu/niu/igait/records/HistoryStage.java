package edu.niu.igait.records;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.job.HistoryRequest;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.s3.JobObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history stage ({@code routes/stages/h1-history.yaml}): a parent's history request, from its
 * ticket, answered by mail. The jobs that match its filters come from the job store; the report (the
 * template {@code routes/mail/history-report.txt} made into a PDF by the route) goes to S3 at
 * {@code <uid>/history_requests/<seconds>.pdf}, the same key on every attempt; the mail
 * ({@code routes/mail/history.html}) goes to the address of the newest matching job (with no match,
 * the newest job's, and it says that nothing matched) and links the report and, when asked, the videos,
 * for {@code igait.links.history-validity}. Once it went out, the ticket says so and a repeat sends
 * nothing. The log names the uid and counts; never an address or a child's data.
 */
public class HistoryStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.records");

    private final Records records;
    private final JobObjects objects;
    private final JobRepository jobs;
    private final double threshold;
    private final Duration validity;
    private final String support;

    public HistoryStage(Records records, JobObjects objects, JobRepository jobs, double threshold, Duration validity, String support) {
        this.records = records;
        this.objects = objects;
        this.jobs = jobs;
        this.threshold = threshold;
        this.validity = validity;
        this.support = support;
    }

    /** A request being answered: the ticket, its filters, the jobs that match, the address. */
    public static final class History {
        final Ticket ticket;
        final Filters filters;
        final List<StoredJob> matched;
        final String email;
        long reportBytes = -1;

        History(Ticket ticket, Filters filters, List<StoredJob> matched, String email) {
            this.ticket = ticket;
            this.filters = filters;
            this.matched = matched;
            this.email = email;
        }

        /** Some job matched: the mail lists them and links a report. */
        public boolean isFound() {
            return !matched.isEmpty();
        }

        /** There is an address to write to: the user has a job with one. */
        public boolean isMailable() {
            return email != null;
        }

        /** The address of the newest matching job, else of the user's newest job. */
        public String getEmail() {
            return email;
        }

        @Override
        public String toString() {
            return ticket + " (" + matched.size() + " matching)";
        }
    }

    /** Whether the request's mail is still to be sent (a repeated stage finds it sent). */
    public boolean due(Ticket ticket) {
        if (ticket.history.mailedAt != null) {
            LOG.info(Subsystem.MAIL, "{}: already mailed at {}: nothing sent", ticket, ticket.history.mailedAt);
            return false;
        }
        return true;
    }

    /** The user's jobs from the job store, those that match, and the address to write to. */
    public History collect(Ticket ticket) {
        HistoryRequest request = ticket.history;
        Filters filters = Filters.of(request);
        List<StoredJob> all = StoredJob.all(request.uid, records.store().user(request.uid).orElse(null));
        List<StoredJob> matched = filters.apply(all, threshold);
        String email = newestAddress(matched);
        if (email == null) {
            email = newestAddress(new Filters(Integer.MAX_VALUE, null, null, null).apply(all, threshold));
        }
        return new History(ticket, filters, matched, email);
    }

    private static String newestAddress(List<StoredJob> newestFirst) {
        return newestFirst.stream().map(StoredJob::email).filter(e -> e != null).findFirst().orElse(null);
    }

    /** Where the report goes: {@code <uid>/history_requests/<seconds>.pdf}. */
    public String reportKey(Ticket ticket) {
        return ticket.history.uid + "/history_requests/" + ticket.history.reportSeconds + ".pdf";
    }

    /**
     * The values of the report (history-report.txt): the request, the filters, and per job its date,
     * status, result, age, sex, height and weight.
     */
    public Map<String, Object> reportValues(History history) {
        Map<String, Object> values = common(history);
        List<Map<String, Object>> items = new ArrayList<>();
        for (StoredJob job : history.matched) {
            Map<String, Object> item = item(job);
            for (String field : new String[] {"age", "sex", "height", "weight"}) {
                item.put(field, job.text(field));
            }
            items.add(item);
        }
        values.put("jobs", items);
        return values;
    }

    /**
     * The values of the mail (history.html): the filters, per job its date, status and result with, when
     * asked, links to its original and keyframed videos, and the link to the report.
     */
    public Map<String, Object> mailValues(History history) {
        HistoryRequest request = history.ticket.history;
        Map<String, Object> values = common(history);
        List<Map<String, Object>> items = new ArrayList<>();
        for (StoredJob job : history.matched) {
            Map<String, Object> item = item(job);
            List<Map<String, Object>> links = new ArrayList<>();
            if (request.includeOriginal || request.includeSkeleton) {
                for (JobObjects.Video video : objects.videos(job.uid, job.jobId)) {
                    boolean keyframed = JobObjects.KEYFRAMED.contains(video.kind());
                    if (keyframed ? request.includeSkeleton : request.includeOriginal) {
                        Map<String, Object> link = new LinkedHashMap<>();
                        link.put("label", (video.kind().startsWith("front") ? "Front" : "Side") + (keyframed ? " (keyframed)" : " (original)"));
                        link.put("url", objects.link(video.key(), validity));
                        links.add(link);
                    }
                }
            }
            item.put("links", links);
            items.add(item);
        }
        values.put("jobs", items);
        values.put("includeOriginal", request.includeOriginal);
        values.put("includeSkeleton", request.includeSkeleton);
        if (history.isFound()) {
            values.put("reportUrl", objects.link(reportKey(history.ticket), validity));
        }
        values.put("linkValidity", MailTemplates.duration(validity));
        values.put("linksExpire", MailTemplates.time(Instant.now().plus(validity)));
        values.put("support", support);
        return values;
    }

    private Map<String, Object> common(History history) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("uid", history.ticket.history.uid);
        values.put("requestedAt", MailTemplates.time(history.ticket.history.receivedAt));
        values.put("filters", history.filters.describe());
        values.put("count", history.matched.size());
        values.put("found", history.isFound());
        return values;
    }

    private Map<String, Object> item(StoredJob job) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("jobId", job.jobId);
        item.put("date", MailTemplates.time(job.submittedAt()));
        StatusCode code = job.statusCode();
        item.put("status", code == null ? "unknown" : code.name());
        Filters.ResultType type = Filters.ResultType.of(job, threshold);
        item.put("result", type != null ? type.text
                : code == StatusCode.Complete ? "no score"
                : code == StatusCode.InferenceErr ? "analysis failed"
                : code == StatusCode.SubmissionErr ? "not analysed" : "pending");
        String score = job.scoreText();
        item.put("score", score == null ? "" : score);
        return item;
    }

    /** The report's size in bytes, as S3 is told it; noted for the log line of the mail. */
    public long reportSize(History history, byte[] pdf) {
        history.reportBytes = pdf.length;
        return pdf.length;
    }

    /** The mail went out: noted in the ticket, so that a repeated stage sends nothing. */
    public void mailed(History history) {
        Ticket ticket = history.ticket;
        ticket.history.mailedAt = Instant.now();
        jobs.saveTicket(ticket);
        LOG.info(Subsystem.MAIL, "{}: history mailed ({} submission(s){}, {} ms)", ticket, history.matched.size(),
                history.reportBytes < 0 ? ", none matched" : ", report " + Math.max(1, history.reportBytes / 1024) + " KB in S3",
                ticket.openedNanos == 0 ? 0 : (System.nanoTime() - ticket.openedNanos) / 1_000_000);
    }

    /** Nobody to write to: the user has no job with an address. Done, without a mail. */
    public void unmailable(History history) {
        LOG.warn(Subsystem.MAIL, "{}: the user has no job with an address: no history mail sent", history.ticket);
    }
}
