package edu.niu.igait.http;

import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Closing a connection after a refusal, without losing the refusal.
 *
 * <p>Vert.x keeps a connection alive after any answer: it reads and throws away the rest of a body
 * the service did not want (2 GB for a refused upload that declared 2 GB), or keeps a paused
 * request's socket open until the idle time-out. So once an answer is written, a connection is
 * closed when the answer says {@code Connection: close} (every refusal does) or when part of the
 * request's body was never read; a request without a body keeps its connection. Closing a socket that still has unread bytes makes the kernel send
 * a reset, which can destroy the answer before the client read it; so the rest of the body is read
 * and dropped first, for at most {@link #LINGER_MS} and {@link #LINGER_BYTES}, and the connection is
 * closed as soon as the body ends (a pipelined request behind it is not served).
 */
public final class Connections {

    /** How long, and how many bytes, a refused body is read and dropped before the connection closes. */
    static final long LINGER_MS = 2000;
    static final long LINGER_BYTES = 4L * 1024 * 1024;

    private Connections() {
    }

    /**
     * Arranges for the connection to be closed after the answer to {@code request}, if the answer
     * closes it or the body was not read whole. Call it before the answer is written (any thread).
     */
    public static void closeAfterAnswer(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        response.endHandler(v -> afterAnswer(request, response));
    }

    /** Answers a request no route takes (or a route refuses outside Camel) with the API's JSON, then closes. */
    static void refuse(HttpServerRequest request, int status, String code, String message) {
        refuse(request, status, code, message, 0);
    }

    /** The same, with {@code Retry-After} when {@code retryAfterSeconds} is above 0. */
    static void refuse(HttpServerRequest request, int status, String code, String message, long retryAfterSeconds) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.endHandler(v -> afterAnswer(request, response));
        if (retryAfterSeconds > 0) {
            response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(ErrorBody.json(code, message, null));
    }

    /** Whether the request says a body follows (a Content-Length above 0, or any Transfer-Encoding). */
    static boolean hasBody(HttpServerRequest request) {
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            return true;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return false;
        }
        try {
            return Long.parseLong(length.trim()) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** A request the server could not parse (bad request line, headers too long, an HTTP/2 preface). */
    static void refuseUnparsable(HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        String name = cause == null ? "" : cause.getClass().getSimpleName();
        int status = name.equals("TooLongHttpLineException") ? 414 : name.equals("TooLongHttpHeaderException") ? 431 : 400;
        HttpServerResponse response = request.response();
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(ErrorBody.json(status == 400 ? "bad_request" : "too_large",
                        status == 400 ? "the request could not be read as HTTP/1.1" : "the request line or its headers are too long", null));
        response.close();
    }

    private static void afterAnswer(HttpServerRequest request, HttpServerResponse response) {
        boolean close = "close".equalsIgnoreCase(response.headers().get(HttpHeaders.CONNECTION));
        if (!close && request.isEnded()) {
            return;
        }
        HttpConnection connection = request.connection();
        if (request.isEnded()) {
            connection.close();
            return;
        }
        if (!close && !hasBody(request)) {
            // A request without a body (a GET) that a route took paused: only its end is still queued. Let it
            // through, and the connection serves the next request (closing it unannounced made a client that
            // reused it see "connection closed" on its next request, a POST it would not retry).
            request.endHandler(v -> {
            });
            request.resume();
            return;
        }
        Context context = Vertx.currentContext();
        if (context == null) {
            connection.close();
            return;
        }
        Vertx vertx = context.owner();
        AtomicLong left = new AtomicLong(LINGER_BYTES);
        long timer = vertx.setTimer(LINGER_MS, id -> connection.close());
        request.exceptionHandler(t -> vertx.cancelTimer(timer));
        request.handler(chunk -> {
            if (left.addAndGet(-chunk.length()) < 0) {
                vertx.cancelTimer(timer);
                connection.close();
            }
        });
        request.endHandler(v -> {
            vertx.cancelTimer(timer);
            connection.close();
        });
        request.resume();
    }
}
