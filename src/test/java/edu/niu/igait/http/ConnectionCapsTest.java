package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.TestService;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections held open without a request: 5,000 idle or half-line ones from one address (all but
 * igait.limits.connections-per-address closed as they come), 5,000 from as many addresses (all but
 * igait.http.max-connections closed as they come); igait.http.header-timeout (here 5 s) closes the rest.
 * The file descriptors come back, and the service answers within 2 s afterwards. Every per-address
 * limit groups an IPv6 client by its /64 (seen here through a trusted proxy's X-Forwarded-For), and a
 * refusal from the headers costs the address nothing of its upload window.
 */
class ConnectionCapsTest {

    static final String KEY = "connection-caps-test-key-0123456789";
    static final String PROXY = "127.0.0.3";

    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("igait.access-key", KEY, "igait.http.header-timeout", "5s",
                "igait.limits.per-address", "1/1h", "igait.http.trusted-proxies", PROXY + "/32"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void fiveThousandIdleAndHalfLineConnectionsFromOneAddressGetSixtyFourAndThenNothing() throws Exception {
        long fdsBefore = openFiles();
        MeterRegistry meters = meters();
        double perAddressBefore = HungUpClientsTest.counter(meters, ServiceMetrics.CONNECTIONS_CLOSED, "connections_per_address");
        List<Socket> held = open(5000, i -> "127.0.0.9");
        try {
            ApiLoad load = load();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(HungUpClientsTest.counter(meters, ServiceMetrics.CONNECTIONS_CLOSED, "connections_per_address")
                            - perAddressBefore).isEqualTo(5000 - 64));
            assertThat(load.connectionsOpen()).isLessThanOrEqualTo(64);
            // Anyone else is served meanwhile.
            Hostile.assertStillServing(service.port(), "127.0.0.2", KEY);
            // The 64 the service kept are closed once the header time-out has passed.
            await().atMost(Duration.ofSeconds(10)).until(() -> load.connectionsOpen() == 0);
        } finally {
            close(held);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= fdsBefore + 20);
    }

    @Test
    void fiveThousandConnectionsFromAsManyAddressesGetTheTotalAndThenNothing() throws Exception {
        long fdsBefore = openFiles();
        MeterRegistry meters = meters();
        double totalBefore = HungUpClientsTest.counter(meters, ServiceMetrics.CONNECTIONS_CLOSED, "max_connections");
        List<Socket> held = open(5000, Hostile::address);
        try {
            ApiLoad load = load();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(HungUpClientsTest.counter(meters, ServiceMetrics.CONNECTIONS_CLOSED, "max_connections") - totalBefore)
                            .isEqualTo(5000 - 2000));
            assertThat(load.connectionsOpen()).isLessThanOrEqualTo(2000);
            // The management port is a server apart: it answers while the API is full.
            assertThat(Http.send(HttpRequest.newBuilder(service.managementUri("/observe/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build()).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> load.connectionsOpen() == 0);
            Hostile.assertStillServing(service.port(), "127.0.0.4", KEY);
        } finally {
            close(held);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= fdsBefore + 20);
    }

    /** Behind the trusted proxy, 2001:db8:1:2::a and ::b are one client (one /64), 2001:db8:1:3::a another. */
    @Test
    void anIpv6ClientIsItsSixtyFourForTheUploadWindowAndTheProxyItselfIsNotCapped() {
        assertThat(uploadVia("2001:db8:1:2::a").status()).isEqualTo(202);
        RawHttp.Response sameBlock = uploadVia("2001:db8:1:2:ffff:ffff:ffff:fffe");
        assertThat(sameBlock.status()).isEqualTo(429);
        assertThat(sameBlock.body()).contains("too_many_requests");
        assertThat(uploadVia("2001:db8:1:3::a").status()).isEqualTo(202);

        // Many clients come through one proxy: its connections count only in the total.
        List<Socket> proxied = open(100, i -> PROXY);
        try {
            Socket last = proxied.get(proxied.size() - 2);
            last.getOutputStream().write(Hostile.head("GET /api/v1/health HTTP/1.1"));
            assertThat(RawHttp.read(last.getInputStream()).status()).isEqualTo(200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            close(proxied);
        }
    }

    /** Refused from its headers, or gone before its body: none of it uses up the address's one upload an hour. */
    @Test
    void refusalsFromTheHeadersAndHungUpUploadsCostTheAddressNothingOfItsWindow() throws Exception {
        String from = "127.0.0.6";
        byte[] notMultipart = Hostile.head("POST /api/v1/upload HTTP/1.1", "Content-Type: text/plain", "Content-Length: 3");
        assertThat(Hostile.exchange(from, service.port(), notMultipart, 5000).status()).isEqualTo(400);
        assertThat(Hostile.exchange(from, service.port(), Hostile.uploadHead(5L << 30), 5000).status()).isEqualTo(413);
        try (Socket gone = Hostile.connect(from, service.port())) {
            gone.getOutputStream().write(Hostile.uploadHead(200_000));
        }
        ApiLoad load = load();
        await().atMost(Duration.ofSeconds(5)).until(() -> load.uploadsInProgress() == 0);

        byte[] body = Hostile.uploadBody();
        byte[] upload = Hostile.concat(Hostile.uploadHead(body.length), body);
        assertThat(Hostile.exchange(from, service.port(), upload, 5000).status()).isEqualTo(202);
        RawHttp.Response second = Hostile.exchange(from, service.port(), upload, 5000);
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.headers()).containsKey("retry-after");
    }

    private static RawHttp.Response uploadVia(String client) {
        byte[] body = Hostile.uploadBody();
        return Hostile.exchange(PROXY, service.port(), Hostile.concat(Hostile.uploadHead(body.length, "X-Forwarded-For: " + client),
                body), 5000);
    }

    /** Opens {@code n} connections, from {@code from(i)}; every other one sends half a request line. */
    private static List<Socket> open(int n, java.util.function.IntFunction<String> from) {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = Hostile.connect(from.apply(i), service.port());
                sockets.add(s);
                if (i % 2 == 1) {
                    try {
                        s.getOutputStream().write("GET /api/v1/hea".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closedAlready) {
                        // the service closed it as it came: what a cap does
                    }
                }
            }
            return sockets;
        } catch (RuntimeException e) {
            close(sockets);
            throw e;
        }
    }

    private static void close(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** File descriptors open in this JVM (the service runs in it). */
    private static long openFiles() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static ApiLoad load() {
        return service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
    }

    private static MeterRegistry meters() {
        return service.context().getRegistry().lookupByNameAndType("serviceMetrics", ServiceMetrics.class).registry();
    }
}
