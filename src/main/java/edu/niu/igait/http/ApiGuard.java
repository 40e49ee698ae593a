package edu.niu.igait.http;

import java.io.File;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before the platform's body handler, which would otherwise read any non-multipart body whole
 * into the heap and answer limits with plain text. Refuses early, in JSON: an upload that is not
 * multipart or declares more bytes than two videos may have, and other bodies over a small cap.
 */
public final class ApiGuard implements Handler<RoutingContext> {

    public static final String UPLOAD_PATH = "/api/v1/upload";
    public static final String COMPLETION_PATH = "/api/v1/completion";
    /** Mirrors CompletionValidator.MAX_CONTENT_BYTES for the message (http does not depend on completion). */
    static final int COMPLETION_CONTENT_BYTES = 4096;

    /** How often the parts of an upload already on disk are flushed while the rest arrives. */
    static final long FLUSH_EVERY_MS = 250;
    /** How often a fully received upload is checked for a multipart body that never ended. */
    static final long TRUNCATION_CHECK_MS = 500;
    /** Uploads being watched, by request (the route sees the request, not the routing context). */
    private static final Map<HttpServerRequest, AtomicInteger> BODY_STATE = Collections.synchronizedMap(new WeakHashMap<>());
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int ABANDONED = 2;

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

    /** Puts the guard first on the router and makes the router's own errors JSON. */
    public void install(Router router) {
        router.route().order(-1000).handler(this).failureHandler(ApiGuard::formFailure);
        router.errorHandler(400, ctx -> fail(ctx, 400, "bad_request", "the request could not be read: it may be cut short or malformed"));
        router.errorHandler(404, ctx -> fail(ctx, 404, "not_found", "no such endpoint"));
        router.errorHandler(405, ctx -> fail(ctx, 405, "method_not_allowed", "this method is not allowed here"));
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
            if (upload && request.method() == HttpMethod.POST) {
                watchForTruncation(ctx);
                flushWhileReceiving(ctx);
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

    /**
     * Called by the upload route when it starts on a request: false if the guard has already answered
     * it as cut short (the route must then not accept it).
     */
    public static boolean claimBody(HttpServerRequest request) {
        AtomicInteger state = BODY_STATE.get(request);
        return state == null || state.compareAndSet(WAITING, CLAIMED) || state.get() == CLAIMED;
    }

    /**
     * A multipart body whose closing boundary never comes (cut short, yet as long as its
     * Content-Length) is fully received, but the body handler waits forever for its last part: the
     * client hangs and the temp files stay. Once the request has ended and every part received is on
     * disk, a body the route has not claimed is answered 400 and its temp files are deleted.
     */
    /**
     * The intake fsyncs the videos before it answers. Left alone, the kernel keeps a whole upload in
     * dirty pages and that final fsync writes all of it at once; flushing the parts already received
     * while the rest still arrives spreads the disk writes over the upload, so the final fsync only
     * has the tail left. Runs on a worker thread, never the event loop.
     */
    private static void flushWhileReceiving(RoutingContext ctx) {
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        long timer = ctx.vertx().setPeriodic(FLUSH_EVERY_MS, id -> {
            if (ctx.response().ended() || ctx.response().closed() || !busy.compareAndSet(false, true)) {
                return;
            }
            java.util.List<String> files = new java.util.ArrayList<>();
            for (FileUpload f : ctx.fileUploads()) {
                files.add(f.uploadedFileName());
            }
            ctx.vertx().executeBlocking(() -> {
                for (String file : files) {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                            java.nio.file.Path.of(file), java.nio.file.StandardOpenOption.READ)) {
                        ch.force(false);
                    } catch (java.io.IOException | RuntimeException gone) {
                        // moved or deleted meanwhile: nothing left to flush here
                    }
                }
                return null;
            }, false).onComplete(done -> busy.set(false));
        });
        ctx.request().end().onComplete(ended -> ctx.vertx().cancelTimer(timer));
        ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
    }

    private static void watchForTruncation(RoutingContext ctx) {
        AtomicInteger state = new AtomicInteger(WAITING);
        HttpServerRequest request = ctx.request();
        BODY_STATE.put(request, state);
        ctx.addEndHandler(done -> BODY_STATE.remove(request));
        ctx.request().end().onSuccess(ended -> {
            long[] last = {-1};
            ctx.vertx().setPeriodic(TRUNCATION_CHECK_MS, timer -> {
                if (state.get() != WAITING || ctx.response().ended()) {
                    ctx.vertx().cancelTimer(timer);
                    return;
                }
                if (ctx.response().closed()) {
                    // The client gave up on it: nobody to answer, but its temp files must go.
                    if (state.compareAndSet(WAITING, ABANDONED)) {
                        ctx.vertx().cancelTimer(timer);
                        ctx.cancelAndCleanupFileUploads();
                    }
                    return;
                }
                long received = 0;
                long onDisk = 0;
                for (FileUpload f : ctx.fileUploads()) {
                    received += f.size();
                    onDisk += new File(f.uploadedFileName()).length();
                }
                // Still writing the last bytes out, or not yet checked twice: wait.
                if (onDisk < received || onDisk != last[0]) {
                    last[0] = onDisk;
                    return;
                }
                if (state.compareAndSet(WAITING, ABANDONED)) {
                    ctx.vertx().cancelTimer(timer);
                    // Answer first: cancelling fails the body handler, whose failure would answer 500.
                    reject(ctx, 400, "truncated", "the multipart body ended before its closing boundary: "
                            + "the upload was cut short; send it again");
                    ctx.cancelAndCleanupFileUploads();
                }
            });
        });
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

    private static void reject(RoutingContext ctx, int status, String code, String message, String field) {
        // Close the connection: the client may still be sending a body we will not read.
        ctx.response().putHeader("Connection", "close");
        fail(ctx, status, code, message, field);
    }

    private static void fail(RoutingContext ctx, int status, String code, String message) {
        fail(ctx, status, code, message, null);
    }

    static void fail(RoutingContext ctx, int status, String code, String message, String field) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(ErrorBody.json(code, message, field));
    }
}
