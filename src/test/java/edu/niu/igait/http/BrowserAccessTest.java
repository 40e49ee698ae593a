package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawClient;
import edu.niu.igait.support.RawClient.Answer;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CORS as a browser meets it, with the exact requests Chromium sends (its preflight is copied from a
 * real one): the iGait web app's origin is answered, any other origin gets no CORS header, preflights
 * need no token and count against no limit. {@code BrowserPreflightTest} does the same with a real
 * headless Chromium.
 */
class BrowserAccessTest {

    static final String APP = "https://app.igait.example";
    static final String OTHER_APP = "http://localhost:3000";
    static final String FOREIGN = "https://evil.example";

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        // Spelled as an operator might: the default port, upper case, spaces; compared as browsers write Origin.
        p.put(Cors.ORIGINS, " HTTPS://App.igait.example:443 , http://localhost:3000");
        p.put(Cors.MAX_AGE, "10m");
        // Two uploads per address: a preflight that counted would use the window up.
        p.put("igait.limits.per-address", "2/1h");
        // Keep-alive connections (what a browser asks for) are closed soon after the answer.
        p.put("igait.http.idle-timeout", "2s");
        service = TestService.start(p);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        keys.close();
    }

    /** Chromium's preflight for an XMLHttpRequest POST with an Authorization header and a FormData body. */
    static String preflight(String path, String origin, String method) {
        return "OPTIONS " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + service.port() + "\r\nConnection: keep-alive\r\nAccept: */*\r\n"
                + "Access-Control-Request-Method: " + method + "\r\nAccess-Control-Request-Headers: authorization\r\n"
                + "Origin: " + origin + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " HeadlessChrome/150.0.0.0 Safari/537.36\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Dest: empty\r\n"
                + "Referer: " + origin + "/\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n";
    }

    static Answer upload(String origin, String token) {
        String extra = "Origin: " + origin + "\r\nSec-Fetch-Mode: cors\r\nConnection: keep-alive\r\n";
        return RawClient.send(service.port(), HostileRequestsTest.uploadRequest(token == null ? null : "Bearer " + token, null, 0, extra));
    }

    static void assertNoCorsHeaders(Answer a) {
        assertThat(a.headers().keySet()).as("CORS headers").noneMatch(h -> h.startsWith("access-control-"));
    }

    @Test
    void thePreflightOfTheAppsOriginIsAnsweredWithoutATokenAndCountsAgainstNothing() {
        DataDirSnapshot before = DataDirSnapshot.of(service.dataDir());
        for (int i = 0; i < 5; i++) {
            Answer a = RawClient.send(service.port(), preflight(HttpEdge.UPLOAD_PATH, APP, "POST"));
            assertThat(a.status()).as(a.headers().toString()).isEqualTo(204);
            assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(a.header("Access-Control-Allow-Methods")).isEqualTo("POST");
            assertThat(a.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization").containsIgnoringCase("content-type");
            assertThat(a.header("Access-Control-Max-Age")).isEqualTo("600");
            assertThat(a.header("Access-Control-Allow-Credentials")).as("no cookies: no credentials").isNull();
            assertThat(a.header("Vary")).contains("Origin");
            assertThat(a.body()).isEmpty();
        }
        Answer status = RawClient.send(service.port(), preflight("/api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA", OTHER_APP, "GET"));
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Access-Control-Allow-Origin")).isEqualTo(OTHER_APP);
        assertThat(status.header("Access-Control-Allow-Methods")).isEqualTo("GET");
        before.awaitUnchanged(java.time.Duration.ofSeconds(2));
        assertThat(service.context().getRegistry().lookupByNameAndType("httpEdge", HttpEdge.class).limits().inProgress()).isZero();
    }

    @Test
    void anotherOriginsPreflightIsRefusedWithoutAnyCorsHeader() {
        for (String origin : new String[] {FOREIGN, "https://app.igait.example.evil.example", "null", "http://app.igait.example",
                                           "https://app.igait.example:8443"}) {
            Answer a = RawClient.send(service.port(), preflight(HttpEdge.UPLOAD_PATH, origin, "POST"));
            assertThat(a.status()).as(origin).isEqualTo(403);
            assertThat(Http.json(a.body()).path("error").asText()).isEqualTo("origin_not_allowed");
            assertNoCorsHeaders(a);
            assertThat(a.closed()).isTrue();
        }
    }

    @Test
    void theAppsUploadsAndStatusCallsCarryTheHeadersTheBrowserNeedsAndOtherOriginsNone() {
        String uid = "browser-parent";
        Answer accepted = upload(APP, keys.token(uid));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(accepted.header("Access-Control-Expose-Headers")).contains("Retry-After").contains("WWW-Authenticate");
        assertThat(accepted.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(accepted.header("Vary")).contains("Origin");
        String sid = Http.json(accepted.body()).path("submissionId").asText();

        Answer status = RawClient.send(service.port(), "GET /api/v1/submissions/" + sid + " HTTP/1.1\r\nHost: x\r\nOrigin: " + APP
                + "\r\nAuthorization: Bearer " + keys.token(uid) + "\r\nConnection: close\r\n\r\n");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.header("Access-Control-Allow-Origin")).isEqualTo(APP);

        // The service still answers another origin (a browser would not let that page read it): no CORS header.
        Answer foreign = upload(FOREIGN, keys.token("foreign-parent"));
        assertThat(foreign.status()).isEqualTo(202);
        assertNoCorsHeaders(foreign);

        // Refusals reach the app too, with what it reads: the token's trouble, when to try again.
        Answer noToken = upload(APP, null);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(noToken.header("WWW-Authenticate")).startsWith("Bearer");
        Answer limited = upload(APP, keys.token("third-parent"));
        assertThat(limited.status()).as("the third upload from this address: preflights did not count").isEqualTo(429);
        assertThat(limited.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(limited.header("Retry-After")).matches("[0-9]+");
    }

    @Test
    void pathsBrowsersDoNotUseGetNoCorsHeaders() {
        Answer health = RawClient.send(service.port(), "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nOrigin: " + APP + "\r\nConnection: close\r\n\r\n");
        assertThat(health.status()).isEqualTo(200);
        assertNoCorsHeaders(health);
        Answer completion = RawClient.send(service.port(), preflight(HttpEdge.COMPLETION_PATH, APP, "POST"));
        assertThat(completion.status()).isEqualTo(405);
        assertNoCorsHeaders(completion);
        Answer noOrigin = RawClient.send(service.port(), HostileRequestsTest.uploadRequest(null, null, 0, "Connection: close\r\n"));
        assertThat(noOrigin.status()).isEqualTo(401);
        assertNoCorsHeaders(noOrigin);
        assertThat(noOrigin.headers()).doesNotContainKey("vary");
    }

    @Test
    void originsThatAreNotExactFailStartUpNamingTheProperty() {
        for (String bad : new String[] {"*", "https://app.igait.example/", "https://*.igait.example", "app.igait.example",
                                        "ftp://app.igait.example", "null", "https://app.igait.example/upload"}) {
            assertThatThrownBy(() -> TestService.start(Map.of(Cors.ORIGINS, bad)).close()).as(bad).hasMessageContaining(Cors.ORIGINS);
        }
        assertThatThrownBy(() -> TestService.start(Map.of(Cors.MAX_AGE, "30d")).close()).hasMessageContaining(Cors.MAX_AGE);
    }

    @Test
    void originsAreComparedAsBrowsersWriteThem() {
        assertThat(Cors.origin("HTTPS://App.Example.org:443")).isEqualTo("https://app.example.org");
        assertThat(Cors.origin("http://localhost:80")).isEqualTo("http://localhost");
        assertThat(Cors.origin("http://127.0.0.1:5173")).isEqualTo("http://127.0.0.1:5173");
        assertThat(Cors.methods("/api/v1/upload")).isEqualTo("POST");
        assertThat(Cors.methods("/api/v1/upload/")).isEqualTo("POST");
        assertThat(Cors.methods("/api/v1/submissions/abc")).isEqualTo("GET");
        assertThat(Cors.methods("/api/v1/submissions/")).isEqualTo("GET"); // the list
        assertThat(Cors.methods("/api/v1/submissions")).isEqualTo("GET");
        assertThat(Cors.methods("/api/v1/submissions/abc/files")).isEqualTo("GET");
        assertThat(Cors.methods("/api/v1/historical_submissions")).isEqualTo("POST");
        assertThat(Cors.methods("/api/v1/submissions/a/b")).isNull();
        assertThat(Cors.methods("/api/v1/submissions//files")).isNull();
        assertThat(Cors.methods("/api/v1/submissions/a/files/b")).isNull();
        assertThat(Cors.methods("/api/v1/completion")).isNull();
    }
}
