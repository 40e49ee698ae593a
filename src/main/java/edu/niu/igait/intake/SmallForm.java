package edu.niu.igait.intake;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import edu.niu.igait.http.ClientGone;
import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.RequestRejected;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * A small form of text fields (a completion from Metis, a history request), read from the paused
 * request into memory, never to disk: at most {@code maxBytes} are read (declared or, for a chunked
 * body, counted as it comes; more is refused at once), then decoded as urlencoded, or as multipart with
 * text fields only (a file part is refused). The whole body must arrive within {@code timeoutMs}
 * ({@code igait.http.form-timeout}; else {@code 408 form_timeout}); a client that goes away, even before
 * the reading began, ends the wait at once ({@link ConnectionGuard#onClose}). Either way the worker
 * thread that waits is free again.
 */
public final class SmallForm {

    private SmallForm() {
    }

    /**
     * The fields by name, in order, each with every value sent.
     *
     * @param tooLong the refusal of a body over {@code maxBytes}, given what it did ("declares 70000
     *                bytes", "is longer than 65536 bytes")
     */
    public static Map<String, List<String>> read(HttpServerRequest request, long maxBytes, boolean multipart,
                                                 Function<String, RequestRejected> tooLong, ConnectionGuard guard, long timeoutMs) {
        Optional<String> boundary = Optional.empty();
        if (multipart) {
            boundary = MultipartParser.boundary(request.getHeader("Content-Type"));
            if (boundary.isEmpty()) {
                throw RequestRejected.badRequest("not_a_form", null, "the multipart/form-data Content-Type names no boundary");
            }
        }
        String declared = request.getHeader("Content-Length");
        if (declared != null && parse(declared) > maxBytes) {
            throw tooLong.apply("declares " + declared.trim() + " bytes");
        }
        byte[] body = body(request, maxBytes, tooLong, guard, timeoutMs);
        return multipart ? multipart(body, boundary.get()) : urlencoded(body);
    }

    private static long parse(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Reads the body on the request's event loop, blocking this worker thread until it has ended, the
     * connection has closed or {@code timeoutMs} have passed.
     */
    private static byte[] body(HttpServerRequest request, long maxBytes, Function<String, RequestRejected> tooLong,
                               ConnectionGuard guard, long timeoutMs) {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("the form is not read on a Vert.x worker thread");
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestRejected late = RequestRejected.retryAfter(408, "form_timeout", "the form's body did not arrive within "
                + timeoutMs + " ms (igait.http.form-timeout); send it again", 10);
        context.runOnContext(v -> {
            if (result.isDone()) {
                return;
            }
            long timer = context.owner().setTimer(timeoutMs, id -> {
                if (result.completeExceptionally(late)) {
                    request.pause();
                }
            });
            result.whenComplete((body, failure) -> context.runOnContext(x -> context.owner().cancelTimer(timer)));
            guard.onClose(request.connection(), () -> result.completeExceptionally(
                    new ClientGone("the client went away before its form was read; nothing was kept", null)));
            if (result.isDone()) {
                return;
            }
            request.handler(chunk -> {
                if (result.isDone()) {
                    return;
                }
                if (out.size() + chunk.length() > maxBytes) {
                    result.completeExceptionally(tooLong.apply("is longer than " + maxBytes + " bytes"));
                    request.pause();
                    return;
                }
                out.writeBytes(chunk.getBytes());
            });
            request.endHandler(end -> result.complete(out.toByteArray()));
            request.exceptionHandler(result::completeExceptionally);
            request.resume();
        });
        try {
            // The timer ends the wait; this bound only covers a timer that never ran (the event loop gone).
            return result.get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw late;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RequestRejected.retryAfter(503, "unavailable", "the service is stopping; try again shortly", 30);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the form's body could not be read: " + e.getCause(), e.getCause());
        }
    }

    private static Map<String, List<String>> urlencoded(byte[] body) {
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false, 256);
            return new LinkedHashMap<>(decoder.parameters());
        } catch (IllegalArgumentException e) {
            throw RequestRejected.badRequest("not_a_form", null, "the urlencoded body cannot be decoded: " + e.getMessage());
        }
    }

    private static Map<String, List<String>> multipart(byte[] body, String boundary) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        MultipartParser.Listener listener = new MultipartParser.Listener() {
            private String name;
            private ByteArrayOutputStream value;

            @Override
            public void partBegin(MultipartParser.PartHeaders headers) {
                if (headers.isFile()) {
                    String field = UploadValidator.printableName(headers.name());
                    throw RequestRejected.badRequest("text_expected", field, field + " must be a text field, not a file");
                }
                name = headers.name();
                value = new ByteArrayOutputStream();
            }

            @Override
            public void partData(byte[] chunk, int offset, int length) {
                value.write(chunk, offset, length);
            }

            @Override
            public void partEnd() {
                fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value.toString(StandardCharsets.UTF_8));
            }
        };
        try {
            MultipartParser parser = new MultipartParser(boundary, listener);
            parser.feed(body, 0, body.length);
            if (!parser.finished()) {
                throw RequestRejected.badRequest("truncated", null, "the multipart body ended before its closing boundary");
            }
        } catch (MultipartParser.MalformedMultipart e) {
            throw RequestRejected.badRequest("not_a_form", null, "the multipart body is malformed: " + e.getMessage());
        }
        return fields;
    }
}
