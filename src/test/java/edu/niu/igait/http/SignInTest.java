package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawClient;
import edu.niu.igait.support.RawClient.Answer;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads and status calls with Firebase ID tokens of a key server on 127.0.0.1 (igait.auth.mode=firebase). */
class SignInTest {

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = firebase(keys.url());
        // The production cap on uploads at once per uid (the test harness widens it).
        p.put("igait.limits.concurrent-uploads-per-user", "2");
        service = TestService.start(p);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        keys.close();
    }

    static Map<String, String> firebase(String keysUrl) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keysUrl);
        return p;
    }

    @Test
    void theJobIsTheTokensUidTheFormUidIsOptionalAndExtraFieldsAreIgnored() throws Exception {
        Answer a = RawClient.send(service.port(), HostileRequestsTest.uploadRequest("Bearer " + keys.token("signed-in-1"), null, 0,
                "Connection: close\r\n"));
        assertThat(a.status()).as(a.body()).isEqualTo(202);
        JsonNode body = Http.json(a.body());
        assertThat(body.path("uid").asText()).isEqualTo("signed-in-1");
        String sid = body.path("submissionId").asText();
        String job = Files.readString(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"));
        assertThat(job).contains("\"signed-in-1\"").doesNotContain("requires_approval");

        // the same uid in the form is fine; the status is the owner's to read
        Answer again = RawClient.send(service.port(), HostileRequestsTest.uploadRequest("Bearer " + keys.token("signed-in-1"),
                "signed-in-1", 0, "Connection: close\r\n"));
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        Answer status = RawClient.send(service.port(), "GET /api/v1/submissions/" + sid + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + keys.token("signed-in-1") + "\r\nConnection: close\r\n\r\n");
        assertThat(status.status()).as(status.body()).isEqualTo(200);
        assertThat(Http.json(status.body()).path("uid").asText()).isEqualTo("signed-in-1");

        Answer unknown = RawClient.send(service.port(), "GET /api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + keys.token("signed-in-1") + "\r\n\r\n");
        assertThat(unknown.status()).isEqualTo(404);
    }

    /** One account holds at most igait.limits.concurrent-uploads-per-user (2) uploads at once, from any addresses. */
    @Test
    void oneAccountHoldsTwoUploadsAtOnceFromAnyAddress() throws Exception {
        String token = "Authorization: Bearer " + keys.token("busy-parent");
        byte[] body = Hostile.uploadBody(null, "parent@example.org");
        java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
            for (String from : new String[] {"127.0.0.21", "127.0.0.22"}) {
                java.net.Socket s = Hostile.connect(from, service.port());
                s.getOutputStream().write(Hostile.uploadHead(body.length, token));
                s.getOutputStream().write(body, 0, 1000);
                held.add(s);
            }
            ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> load.uploadsInProgress() == 2);
            edu.niu.igait.support.RawHttp.Response third = Hostile.exchange("127.0.0.23", service.port(),
                    Hostile.concat(Hostile.uploadHead(body.length, token), body), 5000);
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.body()).contains("concurrent_uploads_per_user");
            assertThat(Hostile.exchange("127.0.0.23", service.port(), Hostile.concat(Hostile.uploadHead(body.length,
                    "Authorization: Bearer " + keys.token("another-parent")), body), 5000).status()).isEqualTo(202);
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
        ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> load.uploadsInProgress() == 0);
        assertThat(Hostile.exchange("127.0.0.23", service.port(), Hostile.concat(Hostile.uploadHead(body.length, token), body), 5000)
                .status()).isEqualTo(202);
    }

    /** With the refresh interval at 0 (here; 30 s by default), so that the rotation can follow the first fetch at once. */
    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesIt() {
        try (KeyServer rotating = KeyServer.start()) {
            Map<String, String> p = firebase(rotating.url());
            p.put("igait.auth.keys-refresh-interval", "0s");
            try (TestService own = TestService.start(p)) {
                Answer before = RawClient.send(own.port(), HostileRequestsTest.uploadRequest("Bearer " + rotating.token("rotating"), null, 0,
                        "Connection: close\r\n"));
                assertThat(before.status()).as(before.body()).isEqualTo(202);
                int fetches = rotating.requests();

                rotating.rotate();
                Answer after = RawClient.send(own.port(), HostileRequestsTest.uploadRequest("Bearer " + rotating.token("rotating"), null, 0,
                        "Connection: close\r\n"));

                assertThat(after.status()).as(after.body()).isEqualTo(202);
                assertThat(rotating.requests()).as("the key set fetched again for the new kid").isEqualTo(fetches + 1);
            }
        }
    }

    @Test
    void aFloodOfUnknownKeyIdsFetchesTheKeysAtMostOnceInTheInterval() {
        Map<String, String> p = firebase(keys.url());
        p.put("igait.auth.keys-refresh-interval", "1h");
        try (TestService fresh = TestService.start(p)) {
            int fetches = keys.requests();
            for (int i = 0; i < 50; i++) {
                Answer a = RawClient.send(fresh.port(), HostileRequestsTest.uploadRequest("Bearer " + keys.tokenOfUnknownKey("flood"),
                        null, 0));
                assertThat(a.status()).isEqualTo(401);
            }
            assertThat(keys.requests() - fetches).as("key set fetches for 50 unknown key ids").isEqualTo(1);
        }
    }

    @Test
    void keysCanComeFromAFile(@TempDir Path dir) throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, keys.jwks());
        TestService fromFile = TestService.start(firebase(jwks.toUri().toString()));
        try {
            Answer a = RawClient.send(fromFile.port(), HostileRequestsTest.uploadRequest("Bearer " + keys.token("file-keyed"), null, 0,
                    "Connection: close\r\n"));
            assertThat(a.status()).as(a.body()).isEqualTo(202);
            Answer bad = RawClient.send(fromFile.port(), HostileRequestsTest.uploadRequest("Bearer " + keys.tokenOfUnknownKey("x"),
                    null, 0));
            assertThat(bad.status()).isEqualTo(401);
        } finally {
            fromFile.close();
        }
    }

    @Test
    void firebaseModeWithoutAProjectFailsStartUpNamingIt() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.auth.mode", "firebase");
        assertThatThrownBy(() -> TestService.start(p).close()).hasMessageContaining("igait.auth.project-id");
    }

    @Test
    void badLimitAndAuthSettingsFailStartUpNamingThem() {
        for (String[] bad : new String[][] {{"igait.auth.mode", "maybe"}, {"igait.limits.per-user", "5 per hour"},
                                            {"igait.limits.per-address", "0/1h"}, {"igait.limits.min-free-disk", "lots"},
                                            {"igait.http.trusted-proxies", "10.0.0.0/33"},
                                            {"igait.completion.allowed-sources", "metis.niu.edu"},
                                            {"igait.http.header-timeout", "0s"}, {"igait.http.form-timeout", "-1s"},
                                            {"igait.http.body-min-rate", "fast"}, {"igait.http.body-min-rate-window", "500ms"},
                                            {"igait.http.max-connections", "0"}, {"igait.limits.connections-per-address", "0"},
                                            {"igait.limits.concurrent-uploads-per-user", "0"},
                                            {"igait.limits.concurrent-completions", "0"}}) {
            assertThatThrownBy(() -> TestService.start(Map.of(bad[0], bad[1])).close()).as(bad[0]).hasMessageContaining(bad[0]);
        }
    }
}
