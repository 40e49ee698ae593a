package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import edu.niu.igait.support.Chromium;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser: headless Chromium loads a page from one origin (the iGait web app, as a page on
 * its own port of 127.0.0.1) whose script uploads with XMLHttpRequest, FormData and an Authorization
 * header, as the app does, to the service on another port: Chromium sends its own preflight, then the
 * upload, and lets the script read the answers. The same page from an origin the service does not
 * list gets nothing through. Needs /usr/bin/chromium (package chromium, which .ci/run installs).
 */
@EnabledIf(value = "edu.niu.igait.support.Chromium#present", disabledReason = "needs Debian's chromium at /usr/bin/chromium")
class BrowserPreflightTest {

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
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        p.put(Cors.ORIGINS, origin(app));
        p.put("igait.limits.per-user", "1/1h");
        service = TestService.start(p);
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
    void theAppsPageUploadsReadsTheStatusAndSeesWhyItWasRefused() {
        JsonNode out = run(app, "browser-parent");

        JsonNode upload = out.path("upload");
        assertThat(upload.path("status").asInt()).as(out.toString()).isEqualTo(202);
        String sid = Http.json(upload.path("body").asText()).path("submissionId").asText();
        assertThat(Files.isRegularFile(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"))).isTrue();

        assertThat(out.path("status").path("status").asInt()).as(out.toString()).isEqualTo(200);
        assertThat(Http.json(out.path("status").path("body").asText()).path("uid").asText()).isEqualTo("browser-parent");

        // The answers the app must read to tell the parent what to do: exposed to its script.
        assertThat(out.path("again").path("status").asInt()).as(out.toString()).isEqualTo(429);
        assertThat(out.path("again").path("retryAfter").asText()).matches("[0-9]+");
        assertThat(out.path("noToken").path("status").asInt()).isEqualTo(401);
        assertThat(out.path("noToken").path("wwwAuthenticate").asText()).startsWith("Bearer");
    }

    @Test
    void theSamePageFromAnotherOriginGetsNothingThroughAndNothingIsStored() throws IOException {
        long jobsBefore = jobs();
        JsonNode out = run(foreign, "foreign-parent");

        for (String call : new String[] {"upload", "status", "again", "noToken"}) {
            assertThat(out.path(call).path("error").asBoolean()).as(call + " in " + out).isTrue();
            assertThat(out.path(call).path("status").asInt()).as(call).isZero();
        }
        assertThat(jobs()).as("the preflight was refused: the upload was never sent").isEqualTo(jobsBefore);
    }

    private static long jobs() throws IOException {
        try (Stream<java.nio.file.Path> dirs = Files.list(service.dataDir().resolve("jobs"))) {
            return dirs.count();
        }
    }

    /** Loads the page of this server in Chromium, for this uid's token; returns what its script found. */
    private static JsonNode run(HttpServer server, String uid) {
        String page = page("http://127.0.0.1:" + service.port(), keys.token(uid));
        String path = "/" + uid + ".html";
        server.createContext(path, exchange -> {
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        String dom = Chromium.dumpDom(URI.create(origin(server) + path), Duration.ofSeconds(30));
        String text = Chromium.text(dom, "out");
        assertThat(text).as(dom).startsWith("{");
        return Http.json(text);
    }

    /** The app's way of calling the service: XMLHttpRequest, FormData with two video Blobs, a Bearer token. */
    private static String page(String api, String token) {
        String video = Base64.getEncoder().encodeToString(Videos.bytes("mp4", 20_000));
        return """
                <!doctype html>
                <html><body><pre id="out">pending</pre><script>
                const api = '%s', token = '%s';
                const bytes = Uint8Array.from(atob('%s'), c => c.charCodeAt(0));
                function form() {
                  const f = new FormData();
                  for (const [k, v] of [['age', '7'], ['ethnicity', 'Asian'], ['sex', 'F'], ['height', '4 ft'], ['weight', '50'],
                                        ['email', 'parent@example.org'], ['requires_approval', 'false']]) f.append(k, v);
                  f.append('fileuploadfront', new Blob([bytes], {type: 'video/mp4'}), 'front.mp4');
                  f.append('fileuploadside', new Blob([bytes], {type: 'video/mp4'}), 'side.mp4');
                  return f;
                }
                function send(method, url, body, auth) {
                  return new Promise(done => {
                    const x = new XMLHttpRequest();
                    x.open(method, url);
                    if (auth) x.setRequestHeader('Authorization', 'Bearer ' + auth);
                    x.onload = () => done({status: x.status, body: x.responseText, retryAfter: x.getResponseHeader('Retry-After'),
                                           wwwAuthenticate: x.getResponseHeader('WWW-Authenticate')});
                    x.onerror = () => done({status: x.status, error: true});
                    x.send(body);
                  });
                }
                (async () => {
                  const out = {};
                  out.upload = await send('POST', api + '/api/v1/upload', form(), token);
                  const sid = out.upload.status === 202 ? JSON.parse(out.upload.body).submissionId : 'AAAAAAAAAAAAAAAAAAAAAA';
                  out.status = await send('GET', api + '/api/v1/submissions/' + sid, null, token);
                  out.again = await send('POST', api + '/api/v1/upload', form(), token);
                  out.noToken = await send('POST', api + '/api/v1/upload', form(), null);
                  document.getElementById('out').textContent = JSON.stringify(out);
                })();
                </script></body></html>
                """.formatted(api, token, video);
    }

    private static HttpServer pageServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String origin(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
