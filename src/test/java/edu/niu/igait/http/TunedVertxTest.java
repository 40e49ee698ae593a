package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.RawClient;
import edu.niu.igait.support.RawClient.Answer;
import edu.niu.igait.support.TestService;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;

/**
 * What TunedVertx adjusts, seen from outside on real servers: if a Vert.x or Camel upgrade stops the
 * adjustment from applying, one of these fails (and start-up itself fails when the platform's server
 * no longer comes through it).
 */
class TunedVertxTest {

    /** A server made the way Camel makes it ({@code new HttpServerOptions()}) gets bodies in 64 KiB chunks, not 8 KiB. */
    @Test
    void aBodyArrivesInChunksLargerThan8KiB() throws Exception {
        TunedVertx tuned = new TunedVertx(new VertxOptions(), 120);
        try {
            AtomicInteger largest = new AtomicInteger();
            Router router = Router.router(tuned.vertx());
            router.route().handler(ctx -> {
                ctx.request().handler(b -> largest.accumulateAndGet(b.length(), Math::max));
                ctx.request().endHandler(v -> ctx.response().end("ok"));
            });
            HttpServer server = tuned.vertx().createHttpServer(new HttpServerOptions()).requestHandler(router);
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            assertThat(tuned.tunedServers()).isEqualTo(1);
            byte[] body = new byte[4 * 1024 * 1024];
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
            assertThat(largest.get()).as("largest body chunk").isGreaterThan(8192);
        } finally {
            tuned.vertx().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The management port's server (any port but the API's) runs on a Vert.x of its own: with the API's
     * only worker thread held, its blocking handler (as Camel's health checks are) still answers.
     */
    @Test
    void theManagementServerAnswersWhileEveryApiWorkerIsHeld() throws Exception {
        TunedVertx tuned = new TunedVertx(new VertxOptions().setWorkerPoolSize(1), 120, null, null, 1, null);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            tuned.vertx().executeBlocking(() -> release.await(30, TimeUnit.SECONDS), false);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> tuned.workersBusy() == 1);
            Router router = Router.router(tuned.vertx());
            router.route().blockingHandler(ctx -> ctx.response().end("ok"));
            HttpServer server = tuned.vertx().createHttpServer(new HttpServerOptions()).requestHandler(router);
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            Answer a = RawClient.send(port, "GET /observe/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo("ok");
            assertThat(tuned.workersBusy()).as("the API's worker, still held").isEqualTo(1);
        } finally {
            release.countDown();
            tuned.vertx().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A route takes its request paused; once answered (200), a request without a body leaves its connection for the next one. */
    @Test
    void aConnectionServesTheNextRequestAfterAnAnsweredGetAndClosesAfterARefusal() throws Exception {
        try (TestService service = TestService.start();
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (String path : new String[] {"/api/v1/health", "/api/v1/health?again", "/api/v1/health"}) {
                out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertThat(head).as(path).startsWith("HTTP/1.1 ").doesNotContainIgnoringCase("connection: close");
                skipBody(in, head);
            }
            // A refusal still ends it.
            out.write("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 400").containsIgnoringCase("connection: close");
        }
    }

    private static void skipBody(InputStream in, String head) throws java.io.IOException {
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
            return;
        }
        while (true) {
            String size = line(in).split(";")[0].trim();
            int n = Integer.parseInt(size, 16);
            in.readNBytes(n);
            line(in);
            if (n == 0) {
                return;
            }
        }
    }

    private static String line(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException("the connection closed after: " + head);
            }
            head.append((char) c);
        }
        return head.toString();
    }

    @Test
    void theServiceClosesAnIdleConnectionRefusesH2cAndAnswersUnknownPathsAndMethodsInJson() throws Exception {
        try (TestService service = TestService.start(Map.of("igait.http.idle-timeout", "1s"))) {
            try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
                idle.setSoTimeout(30_000);
                int read;
                try {
                    read = idle.getInputStream().read();
                } catch (SocketException reset) {
                    read = -1;
                }
                assertThat(read).as("the idle connection was closed by the server").isEqualTo(-1);
            }

            Answer h2c = RawClient.send(service.port(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            assertThat(h2c.status()).as("an HTTP/1 answer, no HTTP/2 frames").isEqualTo(501);
            assertThat(h2c.closed()).isTrue();
            Answer upgrade = RawClient.send(service.port(), "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings, close\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            assertThat(upgrade.status()).isEqualTo(200);

            Answer unknown = RawClient.send(service.port(), "GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(Http.json(unknown.body()).path("error").asText()).isEqualTo("not_found");
            Answer method = RawClient.send(service.port(), "PUT /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(method.status()).isEqualTo(405);
            assertThat(Http.json(method.body()).path("error").asText()).isEqualTo("method_not_allowed");
            Answer garbage = RawClient.send(service.port(), "GET /\u0001 bad HTTP/9\r\n\r\n");
            assertThat(garbage.status()).isEqualTo(400);
            assertThat(Http.json(garbage.body()).path("error").asText()).isEqualTo("bad_request");
        }
    }
}
