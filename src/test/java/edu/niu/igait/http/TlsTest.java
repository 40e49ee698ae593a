package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.TestCertificates;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS served by the service itself, met by real TLS clients: the JDK's HTTP client and curl,
 * trusting the authority that signed the server's certificate, or another one (which must fail).
 */
class TlsTest {

    @TempDir
    static Path dir;

    static TestCertificates authority;
    static TestCertificates other;
    static TestCertificates.Server server;
    static Path caPem;
    static Path otherCaPem;
    static TestService service;

    @BeforeAll
    static void start() {
        authority = TestCertificates.authority("one");
        other = TestCertificates.authority("other");
        server = authority.server();
        caPem = authority.writeCa(dir.resolve("ca.pem"));
        otherCaPem = other.writeCa(dir.resolve("other-ca.pem"));
        Map<String, String> p = new LinkedHashMap<>();
        p.put(ServerTls.CERT, server.writeChain(dir.resolve("fullchain.pem")).toString());
        p.put(ServerTls.KEY, server.writeKey(dir.resolve("privkey.pem")).toString());
        service = TestService.start(p);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static HttpClient client(SSLContext trust) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void theJdkClientTrustingTheAuthorityGetsAnswersOverHttpsAndOneTrustingAnotherIsRefused() throws Exception {
        assertThat(service.uri("/").getScheme()).isEqualTo("https");
        HttpResponse<String> health = client(authority.clientContext()).send(
                HttpRequest.newBuilder(service.uri("/api/v1/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Http.json(health.body()).path("status").asText()).isEqualTo("UP");
        assertThat(health.sslSession()).isPresent();
        assertThat(health.sslSession().get().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        assertThatThrownBy(() -> client(other.clientContext()).send(
                HttpRequest.newBuilder(service.uri("/api/v1/health")).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theManagementPortStaysPlainHttpForTheOrchestratorAndPrometheus() throws Exception {
        java.net.http.HttpResponse<String> live = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(service.managementUri("/observe/health/live")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(live.statusCode()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThat(live.body()).contains("UP");
    }

    @Test
    void plainHttpToTheTlsPortGetsNoHttpAnswer() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] answer;
            try (InputStream in = socket.getInputStream()) {
                answer = in.readAllBytes();
            } catch (java.net.SocketException reset) {
                answer = new byte[0];
            }
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/");
        }
    }

    @Test
    void curlTrustingTheAuthorityUploadsAndCurlTrustingAnotherFails() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        Path front = Videos.mp4(dir.resolve("front.mp4"), 200_000);
        Path side = Videos.mp4(dir.resolve("side.mp4"), 100_000);
        Curl upload = curl(caPem, "-F", "uid=tls-parent", "-F", "age=7", "-F", "ethnicity=Asian", "-F", "sex=F", "-F", "height=4 ft",
                "-F", "weight=50", "-F", "email=parent@example.org", "-F", "fileuploadfront=@" + front, "-F", "fileuploadside=@" + side,
                service.uri("/api/v1/upload").toString());
        assertThat(upload.exit()).as(upload.stderr()).isZero();
        assertThat(upload.status()).as(upload.body()).isEqualTo("202");
        String sid = Http.json(upload.body()).path("submissionId").asText();
        assertThat(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json")).exists();

        Curl refused = curl(otherCaPem, service.uri("/api/v1/health").toString());
        assertThat(refused.exit()).as("curl 60: the peer's certificate cannot be verified; " + refused.stderr()).isEqualTo(60);
        assertThat(refused.body()).doesNotContain("UP");
    }

    @Test
    void aKeystoreServesToo() throws Exception {
        TestCertificates.Server fromStore = authority.server();
        Map<String, String> p = new LinkedHashMap<>();
        p.put(ServerTls.KEYSTORE, fromStore.writePkcs12(dir.resolve("server.p12"), "store-pass-1").toString());
        p.put(ServerTls.KEYSTORE_PASSWORD, "store-pass-1");
        try (TestService fromKeystore = TestService.start(p)) {
            HttpResponse<String> health = client(authority.clientContext()).send(
                    HttpRequest.newBuilder(fromKeystore.uri("/api/v1/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void badTlsSettingsFailStartUpNamingTheProperty() {
        Path chain = server.writeChain(dir.resolve("bad-chain.pem"));
        Path key = server.writeKey(dir.resolve("bad-key.pem"));
        Path otherKey = authority.server().writeKey(dir.resolve("other-key.pem"));
        Path garbage = dir.resolve("garbage.pem");
        try {
            Files.writeString(garbage, "not a key");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path store = authority.server().writePkcs12(dir.resolve("bad.p12"), "right-password");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {Map.of(ServerTls.CERT, chain.toString()), ServerTls.KEY});
        cases.add(new Object[] {Map.of(ServerTls.KEY, key.toString()), ServerTls.CERT});
        cases.add(new Object[] {Map.of(ServerTls.CERT, chain.toString(), ServerTls.KEY, otherKey.toString()), ServerTls.KEY});
        cases.add(new Object[] {Map.of(ServerTls.CERT, chain.toString(), ServerTls.KEY, garbage.toString()), ServerTls.KEY});
        cases.add(new Object[] {Map.of(ServerTls.CERT, dir.resolve("missing.pem").toString(), ServerTls.KEY, key.toString()), ServerTls.CERT});
        cases.add(new Object[] {Map.of(ServerTls.KEYSTORE, store.toString(), ServerTls.KEYSTORE_PASSWORD, "wrong"), ServerTls.KEYSTORE});
        cases.add(new Object[] {Map.of(ServerTls.KEYSTORE, store.toString(), ServerTls.CERT, chain.toString()), ServerTls.KEYSTORE});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, String> settings = (Map<String, String>) c[0];
            assertThatThrownBy(() -> TestService.start(settings).close()).as(settings.toString()).hasMessageContaining((String) c[1])
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("MII").doesNotContain("right-password"));
        }
    }

    record Curl(int exit, String status, String body, String stderr) {
    }

    /** curl over TLS trusting only {@code ca}. */
    static Curl curl(Path ca, String... args) throws IOException, InterruptedException {
        Path body = Files.createTempFile(dir, "curl-", ".body");
        Path out = Files.createTempFile(dir, "curl-", ".out");
        Path err = Files.createTempFile(dir, "curl-", ".err");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", ca.toString(), "-o", body.toString(),
                "-w", "%{http_code}", "--max-time", "60"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Curl(p.exitValue(), Files.readString(out).trim(), Files.readString(body), Files.readString(err));
    }
}
