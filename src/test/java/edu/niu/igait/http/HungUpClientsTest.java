package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.TestService;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that hang up: a completion or an upload whose client closes after its headers (before the
 * service even listens for its body), or in the middle of its body. Each used to hold a worker thread
 * (48 of them stopped the whole service, management port included) or an upload slot for good. Now
 * each frees what it held: the service answers within 2 s afterwards, and its threads, slots, memory
 * budget and upload folder are back to nothing; a client that went away is {@code client_gone}, never
 * a 500.
 */
class HungUpClientsTest {

    static final String KEY = "hung-up-clients-test-key-0123456789";

    static TestService service;

    @BeforeAll
    static void start() {
        // The production cap on uploads at once from one address (the test harness widens it).
        service = TestService.start(Map.of("igait.access-key", KEY, "igait.limits.concurrent-uploads-per-address", "8"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void twoHundredCompletionsWhoseClientsHangUpAfterTheirHeadersHoldNothing() {
        Hostile.inParallel(200, 50, i -> hangUp(Hostile.address(i), Hostile.head("POST /api/v1/completion HTTP/1.1",
                "Content-Type: application/x-www-form-urlencoded", "Content-Length: 100"), 0));

        Hostile.assertStillServing(service.port(), "127.0.0.2", KEY);
        assertNothingHeld();
        MeterRegistry meters = meters();
        double gone = counter(meters, ServiceMetrics.COMPLETION_REFUSED, "client_gone");
        double busy = counter(meters, ServiceMetrics.COMPLETION_REFUSED, "busy");
        // Each one is counted: gone (it got its place) or busy (eight were already being read).
        assertThat(gone + busy).isEqualTo(200);
        assertThat(gone).isPositive();
        assertThat(counter(meters, ServiceMetrics.COMPLETION_REFUSED, "internal_error")).isZero();
    }

    @Test
    void twoHundredUploadsWhoseClientsHangUpAfterTheirHeadersOrInTheirBodyGiveEverythingBack() {
        byte[] body = Hostile.uploadBody();
        Hostile.inParallel(200, 50, i -> hangUp(Hostile.address(1000 + i), Hostile.uploadHead(body.length),
                // Half close right after the headers, half once 60 KB of the body have gone out.
                i % 2 == 0 ? 0 : 60_000));

        Hostile.assertStillServing(service.port(), "127.0.0.3", KEY);
        assertNothingHeld();
        MeterRegistry meters = meters();
        assertThat(counter(meters, ServiceMetrics.UPLOADS, "client_gone")).isPositive();
        assertThat(counter(meters, ServiceMetrics.UPLOADS, "internal_error")).isZero();
    }

    /**
     * One address holds at most igait.limits.concurrent-uploads-per-address (8) uploads at once: the ninth
     * is refused from its headers (429), anyone else is taken; when the eight hang up, their slots are free.
     */
    @Test
    void oneAddressHoldsEightUploadsAtOnceAndGivesThemBackWhenItHangsUp() throws IOException {
        byte[] body = Hostile.uploadBody();
        ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
        java.util.List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = Hostile.connect("127.0.0.8", service.port());
                s.getOutputStream().write(Hostile.uploadHead(body.length));
                s.getOutputStream().write(body, 0, 1000);
                held.add(s);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> load.uploadsInProgress() == 8);
            edu.niu.igait.support.RawHttp.Response ninth = Hostile.exchange("127.0.0.8", service.port(),
                    Hostile.concat(Hostile.uploadHead(body.length), body), 5000);
            assertThat(ninth.status()).isEqualTo(429);
            assertThat(ninth.body()).contains("concurrent_uploads_per_address");
            assertThat(ninth.headers()).containsKey("retry-after");
            assertThat(Hostile.exchange("127.0.0.9", service.port(), Hostile.concat(Hostile.uploadHead(body.length), body), 5000)
                    .status()).as("another address").isEqualTo(202);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertNothingHeld();
        assertThat(Hostile.exchange("127.0.0.8", service.port(), Hostile.concat(Hostile.uploadHead(body.length), body), 5000)
                .status()).as("the address again, once its uploads are gone").isEqualTo(202);
    }

    /** Sends the head and {@code bodyBytes} of the upload body from {@code local}, then closes without reading. */
    private static void hangUp(String local, byte[] head, int bodyBytes) {
        try (Socket socket = Hostile.connect(local, service.port())) {
            socket.getOutputStream().write(head);
            if (bodyBytes > 0) {
                byte[] body = Hostile.uploadBody();
                socket.getOutputStream().write(body, 0, Math.min(bodyBytes, body.length));
            }
            socket.getOutputStream().flush();
            // A little time for the route to begin (or not): the hang-up lands before, during or after.
            Thread.sleep(Math.floorMod(local.hashCode(), 3) * 10L + 5);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Worker threads, upload and completion slots, the memory budget, the upload folder: all back to nothing. */
    private static void assertNothingHeld() {
        ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(load.workersBusy()).as("worker threads busy").isZero();
            assertThat(load.uploadsInProgress()).as("upload slots taken").isZero();
            assertThat(load.completionsInProgress()).as("completion slots taken").isZero();
            assertThat(load.uploadMemoryBytes()).as("upload bytes waiting in memory").isZero();
            try (Stream<Path> left = Files.list(service.dataDir().resolve("uploads"))) {
                assertThat(left).as("partial uploads").isEmpty();
            }
        });
    }

    static MeterRegistry meters() {
        return service.context().getRegistry().lookupByNameAndType("serviceMetrics", ServiceMetrics.class).registry();
    }

    /** A counter's (or function counter's) value for this reason, summed over its other labels. */
    static double counter(MeterRegistry meters, String name, String reason) {
        return meters.find(name).tag("reason", reason).counters().stream().mapToDouble(c -> c.count()).sum()
                + meters.find(name).tag("reason", reason).functionCounters().stream().mapToDouble(c -> c.count()).sum();
    }
}
