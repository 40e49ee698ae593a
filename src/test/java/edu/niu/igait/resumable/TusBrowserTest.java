package edu.niu.igait.resumable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import edu.niu.igait.http.Cors;
import edu.niu.igait.support.Chromium;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * tus-js-client in a real browser: headless Chromium loads a page of the web app's origin (a port of its
 * own on 127.0.0.1) that loads tus-js-client's browser build, uploads two videos in chunks to the service
 * on another origin with a Bearer token (Chromium sends its preflights for POST, HEAD and PATCH and reads
 * Location and Upload-Offset only if the service exposes them), then posts the form naming them. The same
 * page from an origin the service does not list gets nothing through. Needs /usr/bin/chromium.
 */
@EnabledIf(value = "edu.niu.igait.support.Chromium#present", disabledReason = "needs Debian's chromium at /usr/bin/chromium")
class TusBrowserTest {

    static final Path TUS_JS = Path.of("src/test/tus-client/node_modules/tus-js-client/dist/tus.min.js");

    static KeyServer keys;
    static TestService service;
    static HttpServer app;
    static HttpServer foreign;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        app = pageServer();
        foreign = pageServer();
        Map<String, String> p = new LinkedHashMap<>();
        p.put(Cors.ORIGINS, origin(app));
        service = TusCalls.signedIn(keys, p);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        Stream.of(app, foreign).filter(s -> s != null).forEach(s -> s.stop(0));
        if (keys != null) {
            keys.close();
        }
    }

    @Test
    void theAppsPageUploadsTwoVideosInChunksAndSubmitsTheForm() throws IOException {
        JsonNode out = run(app, "browser-tus-parent");

        assertThat(out.path("error").isMissingNode()).as(out.toString()).isTrue();
        assertThat(out.path("front").asText()).as(out.toString()).startsWith(service.uri("/api/v1/files/").toString());
        assertThat(out.path("chunks").asInt()).as("PATCHes of 64 KiB").isGreaterThanOrEqualTo(4 + 3);
        assertThat(out.path("form").path("status").asInt()).as(out.toString()).isEqualTo(202);
        String sid = Http.json(out.path("form").path("body").asText()).path("submissionId").asText();
        Path job = service.dataDir().resolve("jobs").resolve(sid);
        assertThat(Files.readAllBytes(job.resolve("front.mp4"))).isEqualTo(video("mp4", 200_000));
        assertThat(Files.readAllBytes(job.resolve("side.webm"))).isEqualTo(video("webm", 150_000));
    }

    @Test
    void theSamePageFromAnotherOriginGetsNothingThrough() throws IOException {
        long before = uploads();
        JsonNode out = run(foreign, "foreign-tus-parent");

        assertThat(out.path("error").asText()).as(out.toString()).isNotEmpty();
        assertThat(out.path("form").isMissingNode()).isTrue();
        assertThat(uploads()).as("the preflight was refused: no upload was made").isEqualTo(before);
    }

    private static long uploads() throws IOException {
        try (Stream<Path> s = Files.list(service.dataDir().resolve("files"))) {
            return s.count();
        }
    }

    /** The same bytes for the page and the check: a video header and a seeded filler. */
    private static byte[] video(String ext, int bytes) {
        byte[] head = Videos.header(ext);
        byte[] b = new byte[bytes];
        new java.util.Random(bytes).nextBytes(b);
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    private static JsonNode run(HttpServer server, String uid) {
        String page = page("http://127.0.0.1:" + service.port(), keys.token(uid));
        String path = "/" + uid + ".html";
        server.createContext(path, exchange -> send(exchange, page.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8"));
        String dom = Chromium.dumpDom(URI.create(origin(server) + path), Duration.ofSeconds(60));
        String text = Chromium.text(dom, "out");
        assertThat(text).as(dom).startsWith("{");
        return Http.json(text);
    }

    private static String page(String api, String token) {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                <!doctype html>
                <html><head><script src="/tus.min.js"></script></head><body><pre id="out">pending</pre><script>
                const api = '%s', token = '%s';
                const bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
                const out = {chunks: 0};
                function upload(data, name, type) {
                  return new Promise((resolve, reject) => {
                    const u = new tus.Upload(new Blob([data], {type}), {
                      endpoint: api + '/api/v1/files', chunkSize: 64 * 1024, retryDelays: [0, 200, 500],
                      metadata: {filename: name, filetype: type}, headers: {Authorization: 'Bearer ' + token},
                      storeFingerprintForResuming: false,
                      onBeforeRequest: req => { if (req.getMethod() === 'PATCH') out.chunks++; },
                      onError: reject, onSuccess: () => resolve(u.url)});
                    u.start();
                  });
                }
                (async () => {
                  try {
                    out.front = await upload(bytes('%s'), 'front.mp4', 'video/mp4');
                    out.side = await upload(bytes('%s'), 'side.webm', 'video/webm');
                    const f = new FormData();
                    for (const [k, v] of [['age', '7'], ['ethnicity', 'Asian'], ['sex', 'F'], ['height', '4 ft'], ['weight', '50'],
                                          ['email', 'parent@example.org'], ['fileuploadfront', out.front], ['fileuploadside', out.side]]) f.append(k, v);
                    const r = await fetch(api + '/api/v1/upload', {method: 'POST', body: f, headers: {Authorization: 'Bearer ' + token}});
                    out.form = {status: r.status, body: await r.text()};
                  } catch (e) {
                    out.error = String(e && e.message || e).slice(0, 300);
                  }
                  document.getElementById('out').textContent = JSON.stringify(out);
                })();
                </script></body></html>
                """.formatted(api, token, b64.encodeToString(video("mp4", 200_000)), b64.encodeToString(video("webm", 150_000)));
    }

    private static HttpServer pageServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] tus = Files.readAllBytes(TUS_JS);
            server.createContext("/tus.min.js", exchange -> send(exchange, tus, "text/javascript"));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, byte[] body, String type) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String origin(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
