package edu.niu.igait.resumable;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.UploadReceiver;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The tus 1.0.0 protocol at {@code /api/v1/files} ({@code routes/files.yaml}): core ({@code HEAD},
 * {@code PATCH}, {@code OPTIONS}) and the extensions creation, creation-with-upload, expiration and
 * termination; no deferred length. What each step checks, it checks from the request's line and headers,
 * before any byte of a body is read. The tus headers are put on the Vert.x answer itself, as
 * {@code http.Cors} does, so that a refusal carries them too ({@code http.EdgeHeaders} lets no message
 * header but the API's own reach an answer).
 */
public class Tus {

    public static final String VERSION = "1.0.0";
    public static final String EXTENSIONS = "creation,creation-with-upload,expiration,termination";
    public static final String OCTETS = "application/offset+octet-stream";
    /** The most bytes of {@code Upload-Metadata} kept for a file name or a type. */
    static final int MAX_METADATA_VALUE = 255;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final ResumableUploads uploads;
    private final HttpEdge edge;
    private final long maxVideoBytes;

    public Tus(ResumableUploads uploads, HttpEdge edge, long maxVideoBytes) {
        this.uploads = uploads;
        this.edge = edge;
        this.maxVideoBytes = maxVideoBytes;
    }

    /** Every answer of the endpoint, refusals included, says which protocol it speaks and is not cached. */
    public void begin(Exchange exchange) {
        response(exchange).putHeader("Tus-Resumable", VERSION).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }

    /** {@code OPTIONS}: what this server supports (no token needed: it says nothing about anyone). */
    public void options(Exchange exchange) {
        response(exchange).putHeader("Tus-Version", VERSION)
                .putHeader("Tus-Extension", EXTENSIONS)
                .putHeader("Tus-Max-Size", Long.toString(maxVideoBytes));
    }

    /**
     * {@code POST /api/v1/files}: a new upload of {@code Upload-Length} bytes. Refused before anything is
     * made: 412 (no {@code Tus-Resumable: 1.0.0}), 400 (no or a bad length, a deferred one, bad metadata),
     * 413 (over {@code igait.upload.max-video-bytes}), 415 (a body that is not {@value #OCTETS}), the
     * upload limits (429 windows and uploads at once, 503, 507 for the whole length), 429 when the uid would
     * hold more than {@code igait.resumable.per-user-bytes}. With a body (creation-with-upload), the upload
     * holds its slot and the body goes on to the receiver ({@link UploadReceiver#append}).
     */
    public void create(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        resumable(request);
        if (request.getHeader("Upload-Defer-Length") != null) {
            throw RequestRejected.badRequest("deferred_length", null, "this server needs Upload-Length at creation (no deferred length)");
        }
        String lengthHeader = request.getHeader("Upload-Length");
        if (lengthHeader == null) {
            throw RequestRejected.badRequest("missing_length", null, "send Upload-Length: the video's size in bytes");
        }
        long length = number(lengthHeader, "Upload-Length");
        if (length == 0) {
            throw RequestRejected.badRequest("empty_file", null, "Upload-Length is 0: a video has bytes");
        }
        if (length > maxVideoBytes) {
            throw new RequestRejected(413, "too_large", null, "Upload-Length is " + length + " bytes; a video may be at most "
                    + maxVideoBytes + " (igait.upload.max-video-bytes)");
        }
        Map<String, String> metadata = metadata(request.getHeader("Upload-Metadata"));
        boolean body = hasBody(request);
        if (body) {
            octets(request);
            if (HttpEdge.contentLength(request) > length) {
                throw new RequestRejected(413, "too_large", null, "the body declares " + HttpEdge.contentLength(request)
                        + " bytes, more than its Upload-Length " + length);
            }
        }
        String uid = exchange.getVariable(HttpEdge.UID, String.class);
        // The windows, the uploads at once and the disk for the whole video: a body now holds its slot while
        // it arrives; without one, the slot goes back at once (each PATCH takes one of its own).
        var admission = edge.admit(exchange, uid, length);
        if (!body) {
            admission.close();
        }
        ResumableUpload upload = uploads.create(uid, length, metadata.get("filename"), metadata.get("filetype"));
        HttpServerResponse response = response(exchange);
        response.putHeader(HttpHeaders.LOCATION, uploads.url(upload.id))
                .putHeader("Upload-Expires", HTTP_DATE.format(upload.expiresAt));
        if (body) {
            long declared = HttpEdge.contentLength(request);
            exchange.setVariable(UploadReceiver.APPEND, uploads.patch(upload.id, uid, 0, declared, exchange));
        } else {
            response.putHeader("Upload-Offset", "0");
        }
    }

    /**
     * {@code HEAD /api/v1/files/<replica>/<id>}: the offset on disk, the length, the expiry (404 for another account's).
     * A PATCH still holding the upload is waited for a moment ({@link ResumableUploads#settled}).
     */
    public void head(Exchange exchange) throws InterruptedException {
        HttpServerRequest request = request(exchange);
        resumable(request);
        ResumableUpload upload = uploads.settled(id(exchange), exchange.getVariable(HttpEdge.UID, String.class));
        describe(exchange, upload);
        response(exchange).putHeader("Upload-Length", Long.toString(upload.length));
    }

    /**
     * {@code PATCH /api/v1/files/<replica>/<id>}: refused before its body for 404, 412, 415 (not {@value #OCTETS}),
     * 400 (no or a bad {@code Upload-Offset}), 423 (another PATCH at it), 409 (not its offset), 413 (a
     * declared length past {@code Upload-Length}), and the upload limits (slot, disk); then the body goes on
     * to the receiver, which appends it ({@link UploadReceiver#append}).
     */
    public void patch(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        resumable(request);
        String id = id(exchange);
        String uid = exchange.getVariable(HttpEdge.UID, String.class);
        uploads.get(id, uid);
        octets(request);
        String offsetHeader = request.getHeader("Upload-Offset");
        if (offsetHeader == null) {
            throw RequestRejected.badRequest("missing_offset", null, "send Upload-Offset: the offset HEAD answered");
        }
        long offset = number(offsetHeader, "Upload-Offset");
        long declared = HttpEdge.contentLength(request);
        ResumableUploads.Patch patch = uploads.patch(id, uid, offset, declared, exchange);
        edge.admit(exchange, uid, declared);
        exchange.setVariable(UploadReceiver.APPEND, patch);
    }

    /**
     * {@code /api/v1/files/<replica>/<id>}, every method but OPTIONS: the replica its URL names is this one,
     * else 421 {@code misdirected} naming the one that holds the upload (its bytes are on that one's volume).
     */
    public void here(Exchange exchange) {
        if (!"OPTIONS".equals(request(exchange).method().name())) {
            String named = exchange.getMessage().getHeader("replica", String.class);
            uploads.here(named, null, "send it through the balancer, whose path rule sends "
                    + ResumableUploads.PATH + named + "/ there");
        }
    }

    /** After the body of a PATCH (or a creation's): the offset now on disk. */
    public void patched(Exchange exchange) {
        ResumableUploads.Patch patch = exchange.getVariable(UploadReceiver.APPEND, ResumableUploads.Patch.class);
        describe(exchange, patch.upload());
    }

    /** {@code DELETE /api/v1/files/<replica>/<id>}: the upload and its bytes are gone (423 while a request uses it). */
    public void delete(Exchange exchange) {
        resumable(request(exchange));
        uploads.delete(id(exchange), exchange.getVariable(HttpEdge.UID, String.class));
    }

    private void describe(Exchange exchange, ResumableUpload upload) {
        response(exchange).putHeader("Upload-Offset", Long.toString(upload.offset))
                .putHeader("Upload-Expires", HTTP_DATE.format(upload.expiresAt));
    }

    private static String id(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        return id != null && ResumableUploads.ID.matcher(id).matches() ? id : null;
    }

    private static void resumable(HttpServerRequest request) {
        if (!VERSION.equals(request.getHeader("Tus-Resumable"))) {
            request.response().putHeader("Tus-Version", VERSION);
            throw new RequestRejected(412, "tus_version", null, "send Tus-Resumable: " + VERSION + " (the tus protocol version this server speaks)");
        }
    }

    private static void octets(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.strip().toLowerCase(Locale.ROOT).equals(OCTETS)) {
            throw new RequestRejected(415, "unsupported_media_type", null, "the body of an upload is sent as Content-Type: " + OCTETS);
        }
    }

    private static boolean hasBody(HttpServerRequest request) {
        return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || HttpEdge.contentLength(request) > 0;
    }

    private static long number(String text, String header) {
        String t = text.strip();
        if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw RequestRejected.badRequest("invalid_header", null, header + " must be a whole number of bytes, 0 or more");
        }
        return Long.parseLong(t);
    }

    /** {@code Upload-Metadata}: comma-separated {@code key base64value} pairs; the file name and type are kept. */
    static Map<String, String> metadata(String header) {
        Map<String, String> out = new HashMap<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        for (String pair : header.split(",")) {
            String[] kv = pair.strip().split(" ");
            if (kv.length > 2 || kv[0].isEmpty()) {
                throw RequestRejected.badRequest("invalid_metadata", null, "Upload-Metadata must be comma-separated pairs of a key and a Base64 value");
            }
            String value = "";
            if (kv.length == 2) {
                try {
                    value = new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw RequestRejected.badRequest("invalid_metadata", null, "the value of " + printable(kv[0]) + " in Upload-Metadata is not Base64");
                }
            }
            if ((kv[0].equals("filename") || kv[0].equals("filetype")) && value.length() <= MAX_METADATA_VALUE) {
                out.put(kv[0], value);
            }
        }
        return out;
    }

    private static String printable(String key) {
        return key.replaceAll("[^\\x20-\\x7e]", "?").substring(0, Math.min(key.length(), 64));
    }

    private static HttpServerRequest request(Exchange exchange) {
        return exchange.getIn(HttpMessage.class).getRequest();
    }

    private static HttpServerResponse response(Exchange exchange) {
        return request(exchange).response();
    }
}
