package edu.niu.igait.http;

import java.util.Locale;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs first on every request, before any body is read (the upload's by the intake's
 * UploadReceiver, the others' by the platform's body handler, which would read any non-multipart
 * body whole into the heap and answer limits with plain text). Refuses early, in JSON: an upload
 * that is not multipart or declares more bytes than two videos may have, and other bodies over a
 * small cap.
 */
public final class ApiGuard implements Handler<RoutingContext> {

    public static final String UPLOAD_PATH = "/api/v1/upload";
    public static final String COMPLETION_PATH = "/api/v1/completion";
    /** Mirrors CompletionValidator.MAX_CONTENT_BYTES for the message (http does not depend on completion). */
    static final int COMPLETION_CONTENT_BYTES = 4096;

    private final long maxUploadRequestBytes;
    private final long maxFormBytes;

    public ApiGuard(long maxVideoBytes, long maxFormBytes) {
        // Two videos plus the text fields and the multipart framing.
        this.maxUploadRequestBytes = maxUploadRequestBytes(maxVideoBytes);
        this.maxFormBytes = maxFormBytes;
    }

    /** The largest upload request: two videos plus the text fields and the multipart framing. */
    public static long maxUploadRequestBytes(long maxVideoBytes) {
        return 2 * maxVideoBytes + 1024 * 1024;
    }

    /**
     * Puts the guard first on the platform's router and makes the errors its handlers fail with JSON.
     * Unknown paths and methods a route does not take are answered by the root router (TunedVertx).
     */
    public void install(Router router) {
        router.route().order(-1000).handler(this).failureHandler(ApiGuard::formFailure);
        router.errorHandler(400, ctx -> fail(ctx, 400, "bad_request", "the request could not be read: it may be cut short or malformed"));
        router.errorHandler(413, ctx -> fail(ctx, 413, "too_large", "the request is larger than the service accepts"));
        router.errorHandler(500, ctx -> fail(ctx, 500, "internal_error", "the service could not process the request; try again later"));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD
                || request.method() == HttpMethod.OPTIONS) {
            ctx.next();
            return;
        }
        String contentType = request.getHeader("Content-Type");
        boolean multipart = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
        long declared = contentLength(request);
        boolean upload = UPLOAD_PATH.equals(request.path());
        if (upload && request.method() == HttpMethod.POST && !multipart) {
            reject(ctx, 400, "not_multipart",
                    "the upload must be multipart/form-data with the text fields and the files fileuploadfront and fileuploadside");
            return;
        }
        if (COMPLETION_PATH.equals(request.path()) && declared > maxFormBytes) {
            // Metis sends a few short fields: a body this large is a status_content far over its limit,
            // refused before it is read (and before any part of it streams to disk).
            reject(ctx, 400, "too_long", "the completion declares " + declared + " bytes; at most " + maxFormBytes
                    + " are read: status_content may be at most " + COMPLETION_CONTENT_BYTES + " bytes", "status_content");
            return;
        }
        if (multipart) {
            if (declared > maxUploadRequestBytes) {
                reject(ctx, 413, "too_large", "the request declares " + declared + " bytes; at most "
                        + maxUploadRequestBytes + " (two videos of igait.upload.max-video-bytes each) are accepted");
                return;
            }
        } else if (declared > maxFormBytes) {
            reject(ctx, 413, "too_large", "the request body is " + declared + " bytes; at most " + maxFormBytes + " are accepted here");
            return;
        } else if (declared < 0 && request.headers().contains("Transfer-Encoding")) {
            reject(ctx, 411, "length_required", "send this body with a Content-Length header");
            return;
        }
        ctx.next();
    }

    /**
     * The form decoder refuses a text field over Vert.x's limit (8192 bytes) or too many fields: the
     * body handler fails the request, which would otherwise end as a plain-text 400 logged as an
     * unhandled router error. On the completion endpoint the only field that may be long is
     * status_content, so that is the one the answer names.
     */
    static void formFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        String problem = null;
        for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (name.equals("TooLongFormFieldException") || message.contains("Size exceed allowed maximum capacity")) {
                problem = "long";
                break;
            }
            if (name.equals("TooManyFormFieldsException")) {
                problem = "many";
                break;
            }
        }
        if (problem == null) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("Connection", "close");
        if (problem.equals("many")) {
            fail(ctx, 400, "too_many_fields", "the form has more fields than the service accepts", null);
        } else if (COMPLETION_PATH.equals(ctx.request().path())) {
            fail(ctx, 400, "too_long", "a form field is longer than the service reads (8192 bytes): status_content may be at most "
                    + COMPLETION_CONTENT_BYTES + " bytes, the other fields are short", "status_content");
        } else {
            fail(ctx, 400, "too_long", "a text field is longer than the service reads (8192 bytes)", null);
        }
    }

    private static long contentLength(HttpServerRequest request) {
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

    private static void reject(RoutingContext ctx, int status, String code, String message) {
        reject(ctx, status, code, message, null);
    }

    /** Answers with the API's JSON error and closes the connection: the client may still be sending a body that will not be read. */
    public static void reject(RoutingContext ctx, int status, String code, String message, String field) {
        ctx.response().putHeader("Connection", "close");
        fail(ctx, status, code, message, field);
    }

    private static void fail(RoutingContext ctx, int status, String code, String message) {
        fail(ctx, status, code, message, null);
    }

    /** Answers with the API's JSON error, unless an answer has begun already. */
    public static void fail(RoutingContext ctx, int status, String code, String message, String field) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(ErrorBody.json(code, message, field));
    }
}
