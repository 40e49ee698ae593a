package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawClient;
import edu.niu.igait.support.RawClient.Answer;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests an attacker would send, each to a real service on 127.0.0.1, each answered as the
 * contract says (status and error code in JSON), the connection closed after a refusal, and
 * {@code data/} exactly as it was. README.md lists the rows.
 */
class HostileRequestsTest {

    static final String UPLOAD = "/api/v1/upload";
    static final String COMPLETION = "/api/v1/completion";
    static final String KEY = "hostile-test-key-5a1b9c0d7e2f";
    static final String UID = "parent-a";

    static final KeyServer KEYS = KeyServer.start();
    static final Map<String, TestService> SERVICES = new LinkedHashMap<>();

    @AfterAll
    static void stop() {
        SERVICES.values().forEach(TestService::close);
        KEYS.close();
    }

    /** The services the rows run against, each started on first use with its own settings. */
    enum Kind {
        /** Uploads need a Firebase ID token of the test key server. */
        AUTH(Map.of()),
        /** One upload per uid per hour. */
        PER_USER(Map.of("igait.limits.per-user", "1/1h")),
        /** One upload per address per hour, sign-in off. */
        PER_ADDRESS(Map.of("igait.auth.mode", "none", "igait.limits.per-address", "1/1h")),
        /** One upload at a time, sign-in off. */
        ONE_AT_A_TIME(Map.of("igait.auth.mode", "none", "igait.limits.concurrent-uploads", "1")),
        /** min-free-disk 64 MiB under the free space measured at its start: the disk is nearly "full". */
        DISK(Map.of("igait.auth.mode", "none")),
        /** Sign-in off, idle time-out 2 s; the completion endpoint with its key. */
        OPEN(Map.of("igait.auth.mode", "none", "igait.http.idle-timeout", "2s")),
        /** Completions only from 10.0.0.0/8. */
        SOURCES(Map.of("igait.auth.mode", "none", "igait.completion.allowed-sources", "10.0.0.0/8, 2001:db8::/32"));

        final Map<String, String> settings;

        Kind(Map<String, String> settings) {
            this.settings = settings;
        }

        TestService service() {
            return SERVICES.computeIfAbsent(name(), n -> {
                Map<String, String> p = new LinkedHashMap<>();
                p.put("igait.auth.mode", "firebase");
                p.put("igait.auth.project-id", KeyServer.PROJECT);
                p.put("igait.auth.keys-url", KEYS.url());
                p.put("igait.access-key", KEY);
                p.put("camel.main.routes-include-pattern", TestService.INTAKE_ONLY_ROUTES);
                p.put("igait.pipeline.enabled", "false");
                if (this == DISK) {
                    try {
                        long free = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).getUsableSpace();
                        p.put("igait.limits.min-free-disk", Long.toString(free - 64L * 1024 * 1024));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                p.putAll(settings);
                return TestService.start(p);
            });
        }
    }

    /** One row: the service, what is done first (not part of the check), the request, and the answer it must get. */
    record Row(Kind kind, Function<TestService, String> setup, BiFunction<TestService, String, Answer> send, int status, String error,
               Consumer<Answer> also) {
    }

    static Stream<Arguments> rows() {
        List<Arguments> rows = new ArrayList<>();
        // ---- sign-in (igait.auth.mode=firebase)
        rows.add(row("upload without a token", Kind.AUTH, upload(null, UID), 401, "missing_token",
                a -> assertThat(a.header("WWW-Authenticate")).startsWith("Bearer")));
        rows.add(row("upload with a token of an unknown key", Kind.AUTH, upload(KEYS.tokenOfUnknownKey(UID), UID), 401, "invalid_token",
                a -> assertThat(a.header("WWW-Authenticate")).contains("invalid_token")));
        rows.add(row("upload with a token of another key under a known kid", Kind.AUTH,
                upload(KEYS.tokenOfOtherKeySameKid(UID), UID), 401, "invalid_token", null));
        rows.add(row("upload with alg none", Kind.AUTH, upload(KEYS.tokenAlgNone(UID), UID), 401, "invalid_token", null));
        rows.add(row("upload with HS256 and the public key as secret", Kind.AUTH, upload(KEYS.tokenHs256WithPublicKey(UID), UID),
                401, "invalid_token", null));
        rows.add(row("upload with an expired token", Kind.AUTH, upload(KEYS.token(KeyServer.claims(UID)
                .expirationTime(Date.from(Instant.now().minusSeconds(120))).build()), UID), 401, "invalid_token", null));
        rows.add(row("upload with a token issued in the future (beyond 60 s)", Kind.AUTH, upload(KEYS.token(KeyServer.claims(UID)
                .issueTime(Date.from(Instant.now().plusSeconds(300))).build()), UID), 401, "invalid_token", null));
        rows.add(row("upload with a token for another audience", Kind.AUTH, upload(KEYS.token(KeyServer.claims(UID)
                .audience("someone-else").build()), UID), 401, "invalid_token", null));
        rows.add(row("upload with a token of another issuer", Kind.AUTH, upload(KEYS.token(KeyServer.claims(UID)
                .issuer("https://securetoken.google.com/someone-else").build()), UID), 401, "invalid_token", null));
        rows.add(row("upload with an empty sub", Kind.AUTH, upload(KEYS.token(KeyServer.claims(UID).subject("").build()), UID),
                401, "invalid_token", null));
        rows.add(row("upload with a sub that is not a uid", Kind.AUTH, upload(KEYS.token(KeyServer.claims("../etc").build()), null),
                401, "invalid_token", null));
        rows.add(row("upload with a tampered payload", Kind.AUTH, upload(KEYS.tokenTampered(UID, "victim"), "victim"),
                401, "invalid_token", null));
        rows.add(row("upload with Basic credentials", Kind.AUTH, s -> RawClient.send(s.port(), uploadRequest("Basic dXNlcjpwYXNz", UID, 0)),
                401, "invalid_token", null));
        rows.add(row("upload whose form uid is not the token's", Kind.AUTH, upload(KEYS.token(UID), "victim"), 403, "uid_mismatch", null));
        rows.add(row("Expect: 100-continue without a token: refused before the body", Kind.AUTH, s -> RawClient.send(s.port(),
                ("POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 0), 401, "missing_token", null));
        rows.add(row("status without a token", Kind.AUTH, s -> RawClient.send(s.port(),
                "GET /api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x\r\n\r\n"), 401, "missing_token", null));
        rows.add(row("status of another user's submission", Kind.AUTH, s -> accepted(s, KEYS.token("owner-b")),
                (s, sid) -> RawClient.send(s.port(), "GET /api/v1/submissions/" + sid + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + KEYS.token(UID) + "\r\n\r\n"), 403, "forbidden", null));

        // ---- limits, reached one by one
        rows.add(row("a second upload of the same uid within the hour", Kind.PER_USER, s -> accepted(s, KEYS.token("limited-user")),
                (s, sid) -> RawClient.send(s.port(), uploadRequest("Bearer " + KEYS.token("limited-user"), null, 0)),
                429, "too_many_requests", a -> assertThat(a.header("Retry-After")).matches("[0-9]+")));
        rows.add(row("a second upload from the same address within the hour", Kind.PER_ADDRESS, s -> accepted(s, null),
                (s, sid) -> RawClient.send(s.port(), uploadRequest(null, "someone-else", 0)),
                429, "too_many_requests", a -> assertThat(a.header("Retry-After")).matches("[0-9]+")));
        rows.add(row("X-Forwarded-For from a peer that is no trusted proxy", Kind.PER_ADDRESS, s -> RawClient.send(s.port(),
                uploadRequest(null, "third", 0, "X-Forwarded-For: 203.0.113.9\r\n")), 429, "too_many_requests", null));
        rows.add(row("an upload while another is in progress (limit 1)", Kind.ONE_AT_A_TIME,
                s -> whileTheOnlySlotIsTaken(s, uploadRequest(null, UID, 0)), 503, "busy",
                a -> assertThat(a.header("Retry-After")).matches("[0-9]+")));
        // The same limits at a resumable upload's creation (tus), before anything is made under data/files.
        rows.add(row("a resumable upload created while the only slot is taken", Kind.ONE_AT_A_TIME,
                s -> whileTheOnlySlotIsTaken(s, tusCreation(1000)), 503, "busy", null));
        rows.add(row("a resumable upload created from an address past its window", Kind.PER_ADDRESS,
                s -> RawClient.send(s.port(), tusCreation(1000)), 429, "too_many_requests",
                a -> assertThat(a.header("Retry-After")).matches("[0-9]+")));
        rows.add(row("an upload declaring more than the disk can spare", Kind.DISK, s -> RawClient.send(s.port(),
                uploadHead(null, 600_000_000L, "").getBytes(StandardCharsets.ISO_8859_1), 1L << 20), 507, "insufficient_storage",
                a -> assertThat(a.header("Retry-After")).matches("[0-9]+")));
        rows.add(row("a resumable upload whose Upload-Length is more than the disk can spare", Kind.DISK,
                s -> RawClient.send(s.port(), tusCreation(400_000_000L)), 507, "insufficient_storage",
                a -> assertThat(a.header("Tus-Resumable")).isEqualTo("1.0.0")));
        rows.add(row("a chunked upload that would fill the disk, cut off", Kind.DISK, s -> RawClient.send(s.port(),
                chunkedVideoHead(), 512L << 20, chunk(Videos.bytes("mp4", 1 << 20))), 507, "insufficient_storage", null));
        rows.add(row("an upload declaring 2 GB, over two videos", Kind.OPEN, s -> RawClient.send(s.port(),
                uploadHead(null, 2_000_000_000L, "").getBytes(StandardCharsets.ISO_8859_1), 64L << 20), 413, "too_large",
                a -> assertThat(a.bodyBytesSent()).as("bytes the client got out").isLessThan(64L << 20)));

        // ---- connections
        rows.add(row("a refusal with a request pipelined behind it", Kind.OPEN, s -> RawClient.send(s.port(),
                "POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"
                        + "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "not_multipart",
                a -> assertThat(a.after()).as("nothing answered after the refusal").isEmpty()));
        rows.add(row("a GET with a 100 MB body", Kind.OPEN, s -> RawClient.send(s.port(),
                "GET /api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1), 100_000_000L), 404, "not_found",
                a -> assertThat(a.bodyBytesSent()).isLessThan(100_000_000L)));
        rows.add(row("an unknown path with a 100 MB body", Kind.OPEN, s -> RawClient.send(s.port(),
                "POST /api/v2/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                100_000_000L), 404, "not_found", null));
        rows.add(row("a wrong method", Kind.OPEN, s -> RawClient.send(s.port(),
                "DELETE /api/v1/upload HTTP/1.1\r\nHost: x\r\n\r\n"), 405, "method_not_allowed", null));
        // From as many addresses: from one, all but igait.limits.connections-per-address are closed as they come (ConnectionCapsTest).
        rows.add(row("500 idle connections from as many addresses, then a request", Kind.OPEN, s -> {
            List<Socket> idle = new ArrayList<>();
            try {
                Runtime rt = Runtime.getRuntime();
                System.gc();
                long before = rt.totalMemory() - rt.freeMemory();
                for (int i = 0; i < 500; i++) {
                    idle.add(edu.niu.igait.support.Hostile.connect(edu.niu.igait.support.Hostile.address(i), s.port()));
                }
                Answer a = RawClient.send(s.port(), "GET /api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x\r\n\r\n");
                System.gc();
                long after = rt.totalMemory() - rt.freeMemory();
                assertThat(after - before).as("heap taken by 500 idle connections").isLessThan(64L << 20);
                return a;
            } finally {
                idle.forEach(c -> {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                });
            }
        }, 404, "not_found", null));
        rows.add(row("an HTTP/2 prior-knowledge preface (h2c is off)", Kind.OPEN, s -> RawClient.send(s.port(),
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 501, null, a -> assertThat(a.header("content-type")).isNull()));
        rows.add(row("an h2c upgrade request is answered in HTTP/1.1", Kind.OPEN, s -> RawClient.send(s.port(),
                "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"), 200, null,
                a -> assertThat(a.header("upgrade")).isNull()));
        rows.add(row("Set-Cookie in the query is not reflected", Kind.OPEN, s -> RawClient.send(s.port(),
                "GET /api/v1/health?Set-Cookie=session%3Dattacker HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200, null,
                a -> assertThat(a.headers()).doesNotContainKey("set-cookie")));
        rows.add(row("request headers are not reflected", Kind.OPEN, s -> RawClient.send(s.port(),
                "GET /api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA?Location=https%3A%2F%2Fevil.example HTTP/1.1\r\nHost: x\r\n"
                        + "X-Reflect: yes\r\nSet-Cookie: a=b\r\nAccess-Control-Allow-Origin: *\r\n\r\n"), 404, "not_found",
                a -> assertThat(a.headers()).doesNotContainKeys("x-reflect", "set-cookie", "location", "access-control-allow-origin")));

        // ---- the completion endpoint
        rows.add(row("completion: a wrong key in the header with a 20 MB body", Kind.OPEN, s -> RawClient.send(s.port(),
                ("POST " + COMPLETION + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                20_000_000L), 401, "unauthorized", a -> assertThat(a.bodyBytesSent()).isLessThan(20_000_000L)));
        rows.add(row("completion: no key, a 20 MB chunked body", Kind.OPEN, s -> RawClient.send(s.port(),
                ("POST " + COMPLETION + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000_000L, chunk(new byte[65536])),
                400, "too_long", null));
        rows.add(row("completion: a trailing slash and a 20 MB body, no key", Kind.OPEN, s -> RawClient.send(s.port(),
                ("POST " + COMPLETION + "/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000_000L), 400, "too_long", null));
        rows.add(row("completion: a percent-encoded path and a 20 MB body, no key", Kind.OPEN, s -> RawClient.send(s.port(),
                ("POST /api/v1/%63ompletion HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000_000L), 400, "too_long", null));
        rows.add(row("completion: another case of the path", Kind.OPEN, s -> RawClient.send(s.port(),
                ("POST /API/v1/completion HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 20_000_000L), 404, "not_found", null));
        rows.add(row("completion: a file part", Kind.OPEN, s -> {
            String body = "--b\r\nContent-Disposition: form-data; name=\"status_content\"; filename=\"x.txt\"\r\n\r\n0.5\r\n--b--\r\n";
            return RawClient.send(s.port(), "POST " + COMPLETION + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        }, 400, "text_expected", a -> assertThat(Http.json(a.body()).path("field").asText()).isEqualTo("status_content")));
        rows.add(row("completion: from outside igait.completion.allowed-sources", Kind.SOURCES, s -> RawClient.send(s.port(),
                ("POST " + COMPLETION + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                20_000_000L), 403, "forbidden", null));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aHostileRequestIsRefusedAsSpecifiedAndLeavesDataAsItWas(Row row) {
        TestService service = row.kind().service();
        String prepared = row.setup() == null ? null : row.setup().apply(service);
        DataDirSnapshot before = DataDirSnapshot.of(service.dataDir());

        Answer answer = row.send().apply(service, prepared);

        assertThat(answer.status()).as("%s %s", answer.headers(), answer.body()).isEqualTo(row.status());
        if (row.error() != null) {
            assertThat(answer.header("content-type")).contains("application/json");
            JsonNode json = Http.json(answer.body());
            assertThat(json.path("error").asText()).as(answer.body()).isEqualTo(row.error());
            assertThat(json.path("message").asText()).isNotBlank();
        }
        if (row.status() >= 400) {
            assertThat(answer.closed()).as("connection closed after the refusal").isTrue();
        }
        if (row.also() != null) {
            row.also().accept(answer);
        }
        before.awaitUnchanged(Duration.ofSeconds(10));
    }

    // ---------------------------------------------------------------- rows

    private static Arguments row(String name, Kind kind, Function<TestService, Answer> send, int status, String error,
                                 Consumer<Answer> also) {
        return Arguments.of(Named.of(name, new Row(kind, null, (s, none) -> send.apply(s), status, error, also)));
    }

    /**
     * A row that first changes data/ on purpose (an accepted upload, whose result it may pass on):
     * that is its set-up, done before the snapshot.
     */
    private static Arguments row(String name, Kind kind, Function<TestService, String> setup, BiFunction<TestService, String, Answer> send,
                                 int status, String error, Consumer<Answer> also) {
        return Arguments.of(Named.of(name, new Row(kind, setup, send, status, error, also)));
    }

    private static Function<TestService, Answer> upload(String token, String formUid) {
        return s -> RawClient.send(s.port(), uploadRequest(token == null ? null : "Bearer " + token, formUid, 0));
    }

    /** A whole, valid upload request (small videos) with this Authorization and form uid (null: left out). */
    static byte[] uploadRequest(String authorization, String formUid, int extraVideoBytes, String... extraHeaders) {
        byte[] body = form(formUid, extraVideoBytes);
        String head = uploadHead(authorization, body.length, String.join("", extraHeaders));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static String uploadHead(String authorization, long contentLength, String extraHeaders) {
        return "POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + extraHeaders + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    static byte[] form(String uid, int extraVideoBytes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String[]> fields = new ArrayList<>(List.of(new String[] {"age", "7"}, new String[] {"ethnicity", "Asian"},
                new String[] {"sex", "F"}, new String[] {"height", "4 ft"}, new String[] {"weight", "50"},
                new String[] {"email", "parent@example.org"}, new String[] {"requires_approval", "false"}));
        if (uid != null) {
            fields.add(0, new String[] {"uid", uid});
        }
        for (String[] f : fields) {
            body.writeBytes(("--b\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (String field : List.of("fileuploadfront", "fileuploadside")) {
            body.writeBytes(("--b\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"v.mp4\"\r\n"
                    + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Videos.bytes("mp4", 20_000 + extraVideoBytes));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("--b--\r\n".getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** A tus creation (no body) of an upload of {@code length} bytes, sign-in off. */
    static byte[] tusCreation(long length) {
        return ("POST /api/v1/files HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: " + length
                + "\r\nUpload-Metadata: filename Zi5tcDQ=\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends {@code request} while another upload holds the only slot (its headers sent, its body not). */
    static Answer whileTheOnlySlotIsTaken(TestService s, byte[] request) {
        try (Socket held = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            // headers only: admitted and reading, no file yet
            held.getOutputStream().write(("POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            held.getOutputStream().flush();
            awaitInProgress(s, 1);
            return RawClient.send(s.port(), request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The head of a chunked upload and the first chunk: the front video's part headers; its bytes follow as chunks. */
    static byte[] chunkedVideoHead() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(chunk(("--b\r\nContent-Disposition: form-data; name=\"fileuploadfront\"; filename=\"v.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        return out.toByteArray();
    }

    private static byte[] chunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Makes an accepted upload (202) on {@code s} and returns its submission id. */
    static String accepted(TestService s, String token) {
        Answer a = RawClient.send(s.port(), uploadRequest(token == null ? null : "Bearer " + token, token == null ? "someone" : null, 0,
                "Connection: close\r\n"));
        assertThat(a.status()).as(a.body()).isEqualTo(202);
        return Http.json(a.body()).path("submissionId").asText();
    }

    private static void awaitInProgress(TestService s, int n) {
        HttpEdge edge = s.context().getRegistry().lookupByNameAndType("httpEdge", HttpEdge.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (edge.limits().inProgress() < n && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
