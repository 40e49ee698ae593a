package edu.niu.igait.records;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.http.RateWindow;
import edu.niu.igait.http.UploadLimits;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.FormFields;
import edu.niu.igait.intake.SmallForm;
import edu.niu.igait.job.HistoryRequest;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.job.Uid;
import edu.niu.igait.logging.Subsystem;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/historical_submissions}, with the later iGait's form fields ({@code user_id},
 * {@code entries}, {@code result_type}, {@code start_timestamp}, {@code end_timestamp},
 * {@code include_original}, {@code include_skeleton}) as multipart or urlencoded: checked, counted
 * against {@code igait.limits.history-per-user} (each request sends a mail), and kept durably as a ticket
 * of the history stage before the {@code 202}. The stage mails the history (routes/stages/h1-history.yaml).
 * With several replicas the window also counts the uid's requests the others took, as the job store
 * notes them ({@link #countElsewhere}).
 */
public class HistoryRequests {

    static final String USER_ID = "user_id";
    static final String INCLUDE_ORIGINAL = "include_original";
    static final String INCLUDE_SKELETON = "include_skeleton";
    private static final Logger LOG = LoggerFactory.getLogger("igait.records");

    private final JobRepository jobs;
    private final RateWindow perUser;
    private final long maxFormBytes;
    private final ConnectionGuard guard;
    private final long formTimeoutMs;
    /** The last report time given to each uid: two requests in one second still get reports of their own. */
    private final Map<String, Long> lastReportSeconds = new ConcurrentHashMap<>();
    private volatile UploadLimits.Elsewhere elsewhere = (uid, window) -> List.of();
    private volatile java.util.function.BiConsumer<String, Instant> noted = (uid, at) -> { };

    /**
     * @param guard         the API server's connections, whose close ends the wait for a body
     * @param formTimeoutMs the most the body may take to arrive ({@code igait.http.form-timeout})
     */
    public HistoryRequests(JobRepository jobs, RateWindow perUser, long maxFormBytes, ConnectionGuard guard, long formTimeoutMs) {
        this.jobs = jobs;
        this.perUser = perUser;
        this.maxFormBytes = maxFormBytes;
        this.guard = guard;
        this.formTimeoutMs = formTimeoutMs;
    }

    /**
     * Where the other replicas' requests of a uid are counted from, and how this one's are noted for them
     * (none by default: one replica).
     */
    public void countElsewhere(UploadLimits.Elsewhere elsewhere, java.util.function.BiConsumer<String, Instant> noted) {
        this.elsewhere = elsewhere;
        this.noted = noted;
    }

    /**
     * Before the body: a form (400) and, signed in, room in the caller's window (429). Without sign-in
     * the form names the caller, so the window is checked once it is read.
     */
    public void admit(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        if (formType(request) == null) {
            throw RequestRejected.badRequest("not_a_form", null, "the history request must be multipart/form-data or "
                    + "application/x-www-form-urlencoded");
        }
        String uid = exchange.getVariable(HttpEdge.UID, String.class);
        if (uid != null) {
            long wait = perUser.waitSeconds(uid, 0, 0, elsewhere.taken(uid, perUser.window()));
            if (wait > 0) {
                throw limited(wait);
            }
        }
    }

    /**
     * The body, a small form read into memory (at most {@code igait.http.max-form-bytes}: a longer one
     * declared is refused before it is read; within {@code igait.http.form-timeout}, or 408): the one
     * place this endpoint reads it.
     */
    public Map<String, List<String>> form(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        return SmallForm.read(request, maxFormBytes, "multipart".equals(formType(request)), this::tooLong, guard, formTimeoutMs);
    }

    /**
     * The form checked (400 naming the field; a {@code user_id} other than the token's: 403), counted
     * against the caller's window (429), and kept as a ticket of {@code stage}; returns the 202's body.
     *
     * @param tokenUid the token's uid, or null when requests are not authenticated (then {@code user_id} names the caller)
     */
    public Map<String, Object> accept(String tokenUid, Map<String, List<String>> form, String stage) {
        String uid = Access.caller(tokenUid, Filters.single(form, USER_ID), USER_ID);
        Filters filters = Filters.parse(form);
        HistoryRequest request = new HistoryRequest();
        request.uid = uid;
        filters.into(request);
        request.includeOriginal = flag(form, INCLUDE_ORIGINAL);
        request.includeSkeleton = flag(form, INCLUDE_SKELETON);
        List<java.time.Duration> others = elsewhere.taken(uid, perUser.window());
        long wait;
        synchronized (perUser) {
            wait = perUser.waitSeconds(uid, 0, 0, others);
            if (wait == 0) {
                perUser.record(uid);
            }
        }
        if (wait > 0) {
            throw limited(wait);
        }
        Instant now = Instant.now();
        request.receivedAt = now;
        request.reportSeconds = lastReportSeconds.merge(uid, now.getEpochSecond(), (last, secs) -> Math.max(last + 1, secs));
        Ticket ticket = new Ticket();
        ticket.history = request;
        String name = name(uid, now);
        jobs.writeTicket(stage, name, ticket);
        LOG.info(Subsystem.INTAKE, "history request of uid {}: accepted as {}", uid, name);
        noted.accept(uid, now);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("uid", uid);
        body.put("ticket", name);
        return body;
    }

    /** {@code multipart} or {@code urlencoded}, or null for anything else. */
    private static String formType(HttpServerRequest request) {
        String type = request.getHeader("Content-Type");
        type = type == null ? "" : type.toLowerCase(Locale.ROOT).strip();
        return type.startsWith("multipart/form-data") ? "multipart"
                : type.startsWith("application/x-www-form-urlencoded") ? "urlencoded" : null;
    }

    private RequestRejected tooLong(String what) {
        return RequestRejected.badRequest("too_long", null, "the history request " + what + "; at most " + maxFormBytes
                + " are read (igait.http.max-form-bytes)");
    }

    private RequestRejected limited(long wait) {
        return RequestRejected.retryAfter(429, "too_many_requests", "this account has asked for its history " + perUser.count()
                + " times in the last " + perUser.windowText() + " (igait.limits.history-per-user); try again later",
                wait);
    }

    /** A yes-or-no field (intake.FormFields.flag): absent or empty is no. */
    private static boolean flag(Map<String, List<String>> form, String field) {
        return FormFields.flag(Filters.single(form, field), field);
    }

    /** {@code <uid>.history.<received, UTC>.<random>.json}: whose, when, and never a submission's or a completion's name. */
    static String name(String uid, Instant at) {
        if (!Uid.isValid(uid)) {
            throw new IllegalArgumentException("not a uid");
        }
        return Ticket.uniqueName(uid + ".history", at);
    }
}
