package edu.niu.igait.ops;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One health check per peer on /observe/health: with the peer down it is DOWN, with the error and
 * since when, while readiness stays UP and uploads are taken (the job waits in its stage); with the
 * peer back it is UP and the job goes through.
 */
class PeerHealthTest extends WithPeers {

    private TestService service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @ParameterizedTest(name = "{0} down")
    @ValueSource(strings = {"firebase", "s3", "metis", "mail"})
    void aPeerDownIsDownInItsCheckWhileReadinessStaysUpAndUploadsAreTaken(String peer) throws Exception {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.health.probe-interval", "300ms");
        props.put("igait.health.probe-timeout", "1s");
        service = TestService.start(props);
        String check = "peer:" + peer;
        await().atMost(Peers.timeout()).until(() -> "UP".equals(status(check)));
        for (String other : new String[] {"firebase", "s3", "metis", "mail"}) {
            await().atMost(Peers.timeout()).until(() -> "UP".equals(status("peer:" + other)));
        }

        stop(peer);
        String sid;
        try {
            await().atMost(Peers.timeout()).until(() -> "DOWN".equals(status(check)));
            JsonNode down = check(check);
            assertThat(down.get("message").asText()).contains("DOWN since").containsAnyOf("cannot connect", "unavailable", "failed");
            assertThat(down.path("data").path("last.error").asText()).isNotBlank();
            assertThat(down.path("data").path("down.since").asText()).isNotBlank();

            HttpResponse<String> ready = Http.get(service.managementUri("/observe/health/ready"));
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(Management.check(Http.json(ready.body()), check)).as("a peer is no readiness check").isNull();
            assertThat(Http.get(service.managementUri("/observe/health")).statusCode()).as("the details say DOWN").isEqualTo(503);

            Path video = Videos.mp4(tmp.resolve(peer + ".mp4"), 30_000);
            HttpResponse<String> upload = Http.post(service.uri("/api/v1/upload"), new Multipart()
                    .field("uid", "health-" + peer).field("age", "7").field("ethnicity", "x").field("sex", "F")
                    .field("height", "120cm").field("weight", "30").field("email", "p@example.org")
                    .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video));
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
            sid = Http.json(upload.body()).get("submissionId").asText();
        } finally {
            start(peer);
        }
        await().atMost(Peers.timeout()).until(() -> "UP".equals(status(check)));
        assertThat(check(check).get("message").asText()).contains("UP");
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
    }

    private String status(String check) {
        JsonNode c = check(check);
        return c == null ? null : c.get("status").asText();
    }

    private JsonNode check(String check) {
        return Management.check(Http.json(Http.get(service.managementUri("/observe/health?data=true")).body()), check);
    }

    private static void stop(String peer) {
        switch (peer) {
            case "firebase" -> peers.firebase.stop();
            case "s3" -> peers.s3.stop();
            case "metis" -> peers.metis.stop();
            default -> peers.mail.stop();
        }
    }

    private static void start(String peer) {
        switch (peer) {
            case "firebase" -> peers.firebase.start();
            case "s3" -> peers.s3.start();
            case "metis" -> peers.metis.start();
            default -> peers.mail.start();
        }
    }
}
