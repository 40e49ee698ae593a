package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that trickle: uploads a byte at a time (cut off by igait.http.body-min-rate, here 16 KiB/s
 * over a 2 s window), a completion a byte at a time (igait.http.form-timeout, here 1 s), a request line
 * and headers a byte at a time or half sent (igait.http.header-timeout, here 1 s). While a hundred slow
 * uploads hold every upload slot, the management port still answers liveness and readiness at once and
 * says how full the API is; afterwards the service answers within 2 s and holds nothing.
 */
class SlowClientsTest {

    static final String KEY = "slow-clients-test-key-0123456789";

    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("igait.access-key", KEY,
                "igait.http.body-min-rate", "16KiB", "igait.http.body-min-rate-window", "2s",
                "igait.http.form-timeout", "1s", "igait.http.header-timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void aHundredUploadsTricklingAByteAtATimeAreCutOffWhileTheManagementPortAnswers() throws Exception {
        byte[] body = Hostile.uploadBody();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        long began = System.nanoTime();
        CompletableFuture<Void> attack = CompletableFuture.runAsync(() -> Hostile.inParallel(100, 100, i -> {
            int status = trickle(Hostile.address(i), Hostile.uploadHead(body.length), body, 1024, Duration.ofSeconds(20));
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
        }));
        ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.uploadsInProgress() == load.uploadSlots());

        // Every slot held by a trickling client: the management port is another Vert.x, and answers at once.
        for (String path : new String[] {"/observe/health/live", "/observe/health/ready"}) {
            long t = System.nanoTime();
            HttpResponse<String> r = Http.send(HttpRequest.newBuilder(service.managementUri(path)).timeout(Duration.ofSeconds(2)).build());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t)).as(path).isLessThan(Duration.ofSeconds(1));
        }
        JsonNode health = Http.json(Http.send(HttpRequest.newBuilder(service.managementUri("/observe/health"))
                .timeout(Duration.ofSeconds(2)).build()).body());
        JsonNode saturation = null;
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("api-saturation")) {
                saturation = check;
            }
        }
        assertThat(saturation).as("the api-saturation check in " + health).isNotNull();
        assertThat(saturation.path("status").asText()).isEqualTo("UP");
        assertThat(saturation.path("message").asText()).contains("uploads 32 of 32").contains("saturated");

        attack.get(60, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        // The 32 that got a slot were cut off 408 once a whole window showed them too slow; the rest were busy at once.
        assertThat(statuses.get(408)).as("statuses " + statuses).isNotNull();
        assertThat(statuses.get(408).get()).as("statuses " + statuses).isGreaterThanOrEqualTo(32);
        assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(100);
        assertThat(statuses.keySet()).as("statuses " + statuses).isSubsetOf(408, 503, 429);
        assertThat(took).as("the slowest cut-off").isLessThan(Duration.ofSeconds(15));
        assertThat(HungUpClientsTest.counter(meters(), ServiceMetrics.UPLOADS, "too_slow")).isEqualTo(statuses.get(408).get());

        Hostile.assertStillServing(service.port(), "127.0.0.2", KEY);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(load.uploadsInProgress()).isZero();
            assertThat(load.workersBusy()).isZero();
            assertThat(load.uploadMemoryBytes()).isZero();
            try (Stream<Path> left = Files.list(service.dataDir().resolve("uploads"))) {
                assertThat(left).isEmpty();
            }
        });
    }

    @Test
    void aCompletionTricklingAByteAtATimeIsAnswered408AfterTheFormTimeout() {
        String form = "user_id=a&job_id=1&status_code=OK&status_content=0.5&igait_access_key=" + KEY;
        byte[] head = Hostile.head("POST /api/v1/completion HTTP/1.1", "Content-Type: application/x-www-form-urlencoded",
                "Content-Length: " + form.length());
        long t = System.nanoTime();
        int status = trickle("127.0.0.4", head, form.getBytes(StandardCharsets.US_ASCII), 0, Duration.ofSeconds(10));
        assertThat(status).isEqualTo(408);
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(HungUpClientsTest.counter(meters(), ServiceMetrics.COMPLETION_REFUSED, "form_timeout")).isEqualTo(1);
        Hostile.assertStillServing(service.port(), "127.0.0.4", KEY);
    }

    /**
     * A request line sent a byte at a time, a half line left there, a connection that sends nothing: each is
     * closed once the header time-out has passed; and a kept-alive connection that sends no next request
     * is closed within two of them.
     */
    @Test
    void requestHeadsThatDoNotComeInTimeAreClosed() throws Exception {
        double before = HungUpClientsTest.counter(meters(), ServiceMetrics.CONNECTIONS_CLOSED, "header_timeout");
        byte[] line = Hostile.head("GET /api/v1/health HTTP/1.1", "X-Padding: " + "p".repeat(40));
        long t = System.nanoTime();
        assertThat(trickle("127.0.0.5", new byte[0], line, 0, Duration.ofSeconds(10))).as("a head a byte at a time").isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));

        try (Socket half = Hostile.connect("127.0.0.5", service.port());
             Socket silent = Hostile.connect("127.0.0.5", service.port());
             Socket kept = Hostile.connect("127.0.0.5", service.port())) {
            half.getOutputStream().write("POST /api/v1/comp".getBytes(StandardCharsets.US_ASCII));
            kept.getOutputStream().write(Hostile.head("GET /api/v1/health HTTP/1.1"));
            RawHttp.Response answered = RawHttp.read(kept.getInputStream());
            assertThat(answered.status()).isEqualTo(200);
            for (Socket s : new Socket[] {half, silent, kept}) {
                s.setSoTimeout(5000);
                assertThat(readToEnd(s.getInputStream())).as("closed by the service").isTrue();
            }
        }
        assertThat(HungUpClientsTest.counter(meters(), ServiceMetrics.CONNECTIONS_CLOSED, "header_timeout") - before)
                .isGreaterThanOrEqualTo(4);
    }

    /**
     * Sends {@code head} and the first {@code quick} bytes of {@code body}, then the rest a byte every 200 ms,
     * until the service answers (its status) or closes (-1), or {@code limit} passes (then 0).
     */
    private static int trickle(String local, byte[] head, byte[] body, int quick, Duration limit) {
        return trickle(service.port(), local, head, body, quick, limit);
    }

    /** As above, to the service on {@code port}. */
    static int trickle(int port, String local, byte[] head, byte[] body, int quick, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Socket socket = Hostile.connect(local, port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head);
            out.write(body, 0, Math.min(quick, body.length));
            out.flush();
            for (int at = quick; System.nanoTime() < deadline; at++) {
                Thread.sleep(200);
                if (in.available() > 0) {
                    return RawHttp.read(in).status();
                }
                try {
                    if (at < body.length) {
                        out.write(body[at]);
                        out.flush();
                    }
                } catch (SocketException closed) {
                    break;
                }
            }
            socket.setSoTimeout(3000);
            return RawHttp.read(in).status();
        } catch (SocketException reset) {
            return -1;
        } catch (IOException e) {
            return System.nanoTime() < deadline ? -1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Reads until the service closes the connection (true) or the socket's time-out passes (false). */
    private static boolean readToEnd(InputStream in) {
        try {
            while (in.read() >= 0) {
                // whatever came before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static io.micrometer.core.instrument.MeterRegistry meters() {
        return service.context().getRegistry().lookupByNameAndType("serviceMetrics", ServiceMetrics.class).registry();
    }
}
