package edu.niu.igait.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The first step of every HTTP route: what can be decided from the request's line and headers alone,
 * before any byte of its body is read (the routes take their bodies as a paused request:
 * {@code useBodyHandler: false}). Each step arranges for the connection to be closed after a refusal,
 * or whenever part of the body was left unread ({@link Connections}).
 */
public class HttpEdge {

    public static final String UPLOAD_PATH = "/api/v1/upload";
    public static final String COMPLETION_PATH = "/api/v1/completion";
    /** The exchange variable that holds the token's uid (absent when authentication is off). */
    public static final String UID = "igaitUid";
    /**
     * The exchange variable that holds the address the job's mails go to when it is the token's
     * ({@code igait.mail.recipient=token}): its verified {@code email} claim. Absent otherwise.
     */
    public static final String MAIL_TO = "igaitMailTo";
    static final String ADMISSION = "igaitAdmission";
    /** How long a completion refused for lack of room is asked to wait. */
    static final long COMPLETION_RETRY_SECONDS = 10;
    /** The exchange variable that holds the query's parameters, each with every value sent (see {@link #records}). */
    public static final String QUERY = "igaitQuery";

    private final Authentication authentication;
    private final UploadLimits limits;
    private final ClientAddress clients;
    private final long maxUploadRequestBytes;
    private final List<Cidr> completionSources;
    private final int concurrentCompletions;
    private final boolean mailToToken;
    private final AtomicInteger completions = new AtomicInteger();

    public HttpEdge(Authentication authentication, UploadLimits limits, ClientAddress clients, long maxVideoBytes,
                    List<Cidr> completionSources) {
        this(authentication, limits, clients, maxVideoBytes, completionSources, Integer.MAX_VALUE, false);
    }

    /**
     * @param concurrentCompletions completion calls read at once ({@code igait.limits.concurrent-completions}); more get 503
     * @param mailToToken           {@code igait.mail.recipient=token}: the job's mails go to the token's verified email
     */
    public HttpEdge(Authentication authentication, UploadLimits limits, ClientAddress clients, long maxVideoBytes,
                    List<Cidr> completionSources, int concurrentCompletions, boolean mailToToken) {
        this.authentication = authentication;
        this.limits = limits;
        this.clients = clients;
        this.maxUploadRequestBytes = maxUploadRequestBytes(maxVideoBytes);
        this.completionSources = List.copyOf(completionSources);
        this.concurrentCompletions = concurrentCompletions;
        this.mailToToken = mailToToken;
    }

    /** Completion calls being read or kept now. */
    public int completionsInProgress() {
        return completions.get();
    }

    /** The largest upload request: two videos plus the text fields and the multipart framing. */
    public static long maxUploadRequestBytes(long maxVideoBytes) {
        return 2 * maxVideoBytes + 1024 * 1024;
    }

    public Authentication authentication() {
        return authentication;
    }

    public UploadLimits limits() {
        return limits;
    }

    /** {@code GET} routes with nothing to check: the connection still closes if a body came along. */
    public void get(Exchange exchange) {
        begin(exchange);
    }

    /** {@code GET /api/v1/submissions/<sid>}: the caller's uid, when authentication is on. */
    public void status(Exchange exchange) {
        HttpServerRequest request = begin(exchange);
        String uid = authentication.uid(request);
        if (uid != null) {
            exchange.setVariable(UID, uid);
        }
    }

    /**
     * A parent's own records ({@code GET /api/v1/submissions}, {@code GET /api/v1/submissions/<sid>/files},
     * {@code POST /api/v1/historical_submissions}): the caller's uid when authentication is on, and the
     * query's parameters in the variable {@value #QUERY} (the platform makes none of them a header).
     */
    public void records(Exchange exchange) {
        status(exchange);
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        Map<String, List<String>> query = new LinkedHashMap<>();
        try {
            request.params().names().forEach(name -> query.put(name, List.copyOf(request.params().getAll(name))));
        } catch (IllegalArgumentException e) {
            throw RequestRejected.badRequest("invalid_query", null, "the query string cannot be decoded");
        }
        exchange.setVariable(QUERY, query);
    }

    /**
     * {@code POST /api/v1/upload}: the token (401; with {@code igait.mail.recipient=token}, 403 when it
     * carries no verified email), the form's type and declared size (400, 413), then the limits (429,
     * 503, 507). An admitted upload holds its slot until the exchange is done.
     */
    public void upload(Exchange exchange) {
        HttpServerRequest request = begin(exchange);
        Authentication.SignedIn user = authentication.user(request);
        String uid = user == null ? null : user.uid();
        if (uid != null) {
            exchange.setVariable(UID, uid);
        }
        if (mailToToken && user != null) {
            if (user.verifiedEmail() == null) {
                throw new RequestRejected(403, "email_unverified", "email", "the service mails the result to the signed-in"
                        + " account's email address, and this account has no verified one: verify the address in the app,"
                        + " then sign in again");
            }
            exchange.setVariable(MAIL_TO, user.verifiedEmail());
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).strip().startsWith("multipart/form-data")) {
            throw RequestRejected.badRequest("not_multipart",
                    null, "the upload must be multipart/form-data with the text fields and the files fileuploadfront and fileuploadside");
        }
        long declared = contentLength(request);
        if (declared > maxUploadRequestBytes) {
            throw new RequestRejected(413, "too_large", null, "the request declares " + declared + " bytes; at most "
                    + maxUploadRequestBytes + " (two videos of igait.upload.max-video-bytes each) are accepted");
        }
        admit(exchange, uid, declared);
    }

    /**
     * A resumable upload's request ({@code /api/v1/files}, every method): the caller's uid, when
     * authentication is on (401 without a good token), as for every other request of a parent.
     */
    public void files(Exchange exchange) {
        status(exchange);
    }

    /**
     * Admits a body of {@code declared} bytes (-1: chunked) to be read for {@code uid}, or refuses it
     * ({@link UploadLimits#admit}: 429, 503, 507); the slot is held until the exchange is done, and the
     * receiver finds it with {@link #admission}.
     */
    public UploadLimits.Admission admit(Exchange exchange, String uid, long declared) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        UploadLimits.Admission admission = limits.admit(uid, clients.groupOf(request), declared);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                admission.close();
            }
        });
        exchange.setVariable(ADMISSION, admission);
        return admission;
    }

    /**
     * {@code POST /api/v1/completion}: only from {@code igait.completion.allowed-sources}, when set, and at
     * most {@code igait.limits.concurrent-completions} at once (503); the call holds its place until the
     * exchange is done.
     */
    public void completion(Exchange exchange) {
        HttpServerRequest request = begin(exchange);
        if (!completionSources.isEmpty() && !Cidr.anyContains(completionSources, clients.of(request))) {
            throw new RequestRejected(403, "forbidden", null,
                    "completions are taken only from the addresses in igait.completion.allowed-sources");
        }
        if (completions.incrementAndGet() > concurrentCompletions) {
            completions.decrementAndGet();
            throw RequestRejected.retryAfter(503, "busy", "the service is reading " + concurrentCompletions
                    + " completions at once, its most (igait.limits.concurrent-completions); send it again shortly",
                    COMPLETION_RETRY_SECONDS);
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                completions.decrementAndGet();
            }
        });
    }

    private static HttpServerRequest begin(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        Connections.closeAfterAnswer(request);
        if (request.version() == null) {
            throw new RequestRejected(505, "http_version_not_supported", null, "the service speaks HTTP/1.1");
        }
        return request;
    }

    /** The declared Content-Length, or -1 when there is none (chunked) or it cannot be read. */
    public static long contentLength(HttpServerRequest request) {
        String header = request.getHeader("Content-Length");
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The admission {@link #upload} gave this exchange. */
    public static UploadLimits.Admission admission(Exchange exchange) {
        return exchange.getVariable(ADMISSION, UploadLimits.Admission.class);
    }
}
