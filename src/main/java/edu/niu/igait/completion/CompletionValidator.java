package edu.niu.igait.completion;

import edu.niu.igait.job.Uid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.SmallForm;
import edu.niu.igait.logging.Subsystem;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a completion call from Metis: the key first (401, counted for the operator's alert), then
 * the form (400 naming the field). Fields are read from the form only, never from headers or the
 * query string, where the platform would mix them with the client's own.
 */
public class CompletionValidator {

    public static final String USER_ID = "user_id";
    public static final String JOB_ID = "job_id";
    public static final String STATUS_CODE = "status_code";
    public static final String STATUS_CONTENT = "status_content";
    public static final String KEY_FIELD = "igait_access_key";
    public static final List<String> FIELDS = List.of(USER_ID, JOB_ID, STATUS_CODE, STATUS_CONTENT);
    /** The score or the error text: it becomes the status the app shows and a line of the mail. */
    public static final int MAX_CONTENT_BYTES = 4096;

    private static final Pattern JOB_ID_FORMAT = Pattern.compile("[0-9]{1,10}");
    private static final Logger LOG = LoggerFactory.getLogger("igait.completion");

    private final AccessKey key;
    private final RefusedCalls refused;
    private final long maxFormBytes;
    private final ConnectionGuard guard;
    private final long formTimeoutMs;

    /**
     * @param guard         the API server's connections, whose close ends the wait for a body
     * @param formTimeoutMs the most the body may take to arrive ({@code igait.http.form-timeout})
     */
    public CompletionValidator(AccessKey key, RefusedCalls refused, long maxFormBytes, ConnectionGuard guard, long formTimeoutMs) {
        this.key = key;
        this.refused = refused;
        this.maxFormBytes = maxFormBytes;
        this.guard = guard;
        this.formTimeoutMs = formTimeoutMs;
    }

    /**
     * The key first: from {@code Authorization: Bearer} before any byte of the body is read; without
     * that header, from the form field once the (small) body is read. Then the form.
     */
    public CompletionRequest validate(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        String contentType = request.getHeader("Content-Type");
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
        boolean multipart = type.startsWith("multipart/form-data");
        boolean form = multipart || type.startsWith("application/x-www-form-urlencoded");

        String bearer = bearer(request);
        if (bearer != null || !form) {
            checkKey(request, bearer);
        }
        if (!form) {
            throw RequestRejected.badRequest("not_a_form", null, "the completion must be multipart/form-data or "
                    + "application/x-www-form-urlencoded with the fields " + String.join(", ", FIELDS));
        }
        Map<String, List<String>> fields = SmallForm.read(request, maxFormBytes, multipart, what -> tooLong(maxFormBytes, what),
                guard, formTimeoutMs);
        if (bearer == null) {
            List<String> values = fields.getOrDefault(KEY_FIELD, List.of());
            // A field sent twice counts as no key.
            checkKey(request, values.size() == 1 ? values.get(0) : null);
        }

        for (String field : FIELDS) {
            List<String> values = fields.getOrDefault(field, List.of());
            if (values.isEmpty()) {
                throw RequestRejected.badRequest("missing_field", field, "the field " + field + " is missing");
            }
            if (values.size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field,
                        "the field " + field + " was sent " + values.size() + " times: send it once");
            }
        }

        String uid = fields.get(USER_ID).get(0).strip();
        if (!Uid.isValid(uid)) {
            throw RequestRejected.badRequest("invalid_field", USER_ID,
                    USER_ID + " must be a uid: 1 to 128 characters of letters, digits, '_' or '-'");
        }
        String jobIdText = fields.get(JOB_ID).get(0).strip();
        long jobId = JOB_ID_FORMAT.matcher(jobIdText).matches() ? Long.parseLong(jobIdText) : -1;
        if (jobId < 0 || jobId > Integer.MAX_VALUE) {
            throw RequestRejected.badRequest("invalid_field", JOB_ID, JOB_ID + " must be a whole number from 0 to " + Integer.MAX_VALUE);
        }
        String statusCode = fields.get(STATUS_CODE).get(0).strip();
        if (!CompletionRequest.OK.equals(statusCode) && !CompletionRequest.ERR.equals(statusCode)) {
            throw RequestRejected.badRequest("invalid_field", STATUS_CODE, STATUS_CODE + " must be OK or ERR");
        }
        String content = fields.get(STATUS_CONTENT).get(0);
        if (content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
            throw RequestRejected.badRequest("too_long", STATUS_CONTENT,
                    STATUS_CONTENT + " may be at most " + MAX_CONTENT_BYTES + " bytes");
        }
        content = content.strip();
        if (content.isEmpty()) {
            throw RequestRejected.badRequest("invalid_field", STATUS_CONTENT,
                    STATUS_CONTENT + " must not be empty: send the score, or the error text");
        }
        return new CompletionRequest(uid, (int) jobId, statusCode, content);
    }

    /** A body over igait.http.max-form-bytes, refused at once, naming status_content, the only field that can be long. */
    static RequestRejected tooLong(long maxBytes, String what) {
        return RequestRejected.badRequest("too_long", STATUS_CONTENT, "the completion " + what + "; at most "
                + maxBytes + " are read (igait.http.max-form-bytes): status_content may be at most "
                + MAX_CONTENT_BYTES + " bytes");
    }

    /** The key of {@code Authorization: Bearer <key>}, or null when there is no such header. */
    private static String bearer(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    /** Refuses with 401 unless {@code presented} is the key; counts the refusal for the operator's alert. */
    private void checkKey(HttpServerRequest request, String presented) {
        if (key.matches(presented)) {
            return;
        }
        String caller = caller(request);
        String why = key.isConfigured() ? "missing or wrong access key" : "no access key is configured (" + AccessKey.ENV + ")";
        // One line per burst: the operator's alert counts the rest.
        if (refused.refused(caller)) {
            LOG.warn(Subsystem.INTAKE, "completion call from {} refused: {} (further refusals are counted for the operator's alert)",
                    caller, why);
        } else {
            LOG.debug(Subsystem.INTAKE, "completion call from {} refused: {}", caller, why);
        }
        throw new RequestRejected(401, "unauthorized", null,
                "a valid access key is required: send it as the form field " + KEY_FIELD
                        + " or as the header Authorization: Bearer <key>");
    }

    static String caller(HttpServerRequest request) {
        SocketAddress address = request.remoteAddress();
        if (address == null) {
            return "unknown";
        }
        return address.hostAddress() != null ? address.hostAddress() : address.toString();
    }
}
