package edu.niu.igait.resumable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.SlowProxy;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tus-js-client, the tus project's own client, in Node, against the real service: it uploads the two
 * videos in chunks and the form names them; it pauses and resumes; its connection is cut by the network in
 * the middle of a PATCH and it goes on from what the service kept. The bytes in the job are the source's.
 */
class TusClientTest {

    static KeyServer keys;
    static TestService service;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        service = TusCalls.signedIn(keys, Map.of());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keys != null) {
            keys.close();
        }
    }

    @Test
    void twoVideosGoUpInChunksAtOnceAndTheFormNamesThem() throws IOException {
        Path front = Videos.video(dir.resolve("front.mp4"), "mp4", 3 * 1024 * 1024 + 17);
        Path side = Videos.video(dir.resolve("side.mov"), "mov", 2 * 1024 * 1024 + 5);

        JsonNode out = NodeTus.run(config(service.uri("/").toString(), "chunked-parent", front, side, Map.of("chunkSize", 256 * 1024, "parallel", true)), 120);

        assertThat(out.path("form").path("status").asInt()).as(out.toString()).isEqualTo(202);
        assertThat(out.path("requests").path("PATCH").asInt()).as("PATCHes of 256 KiB").isGreaterThanOrEqualTo(13 + 9);
        assertThat(out.path("urls").path("fileuploadfront").asText()).startsWith(service.uri("/api/v1/files/").toString());
        assertJobHolds(out, front, side);
    }

    @Test
    void aClientThatPausesAndResumesGoesOnFromItsOffset() throws IOException {
        Path front = Videos.video(dir.resolve("front.mp4"), "mp4", 3 * 1024 * 1024);
        Path side = Videos.video(dir.resolve("side.mp4"), "mp4", 300_000);
        // A link slow enough for the pause to come while the front is still going up, in PATCHes of 256 KiB.
        try (SlowProxy link = new SlowProxy(service.uri("/"), 2 * 1024 * 1024)) {
            JsonNode out = NodeTus.run(config(link.endpoint() + "/", "pausing-parent", front, side,
                    Map.of("chunkSize", 256 * 1024, "pauseAfter", Map.of("field", "fileuploadfront", "bytes", 1024 * 1024, "ms", 300))), 120);

            assertThat(out.path("form").path("status").asInt()).as(out.toString()).isEqualTo(202);
            assertThat(out.toString()).contains("\"paused\"", "\"resumed\"");
            assertThat(out.path("requests").path("HEAD").asInt()).as("the client asked where to go on").isGreaterThanOrEqualTo(1);
            // Started again from the offset HEAD gave: at most the PATCH the pause cut went twice.
            assertThat(link.bytesSent()).isLessThan(3 * 1024 * 1024 + 300_000 + 256 * 1024 + 64 * 1024);
            assertJobHolds(out, front, side);
        }
    }

    @Test
    void aConnectionCutInTheMiddleOfAPatchIsResumedFromWhatTheServiceKept() throws IOException {
        Path front = Videos.video(dir.resolve("front.mp4"), "mp4", 3 * 1024 * 1024);
        Path side = Videos.video(dir.resolve("side.mp4"), "mp4", 200_000);
        double resumptions = metric("igait_resumable_resumptions_total");
        try (SlowProxy network = new SlowProxy(service.uri("/"), 4 * 1024 * 1024)) {
            network.cutOnceAfter(3 * 1024 * 1024 / 2);

            JsonNode out = NodeTus.run(config(network.endpoint() + "/", "cut-parent", front, side, Map.of()), 120);

            assertThat(network.cuts()).isEqualTo(1);
            assertThat(out.path("form").path("status").asInt()).as(out.toString()).isEqualTo(202);
            assertThat(out.toString()).as("tus-js-client saw the cut and retried").contains("\"retry\"");
            // Had the service kept nothing, the front would have gone twice (4.5 MiB and more).
            assertThat(network.bytesSent()).isLessThan(3 * 1024 * 1024 + 200_000 + 512 * 1024);
            assertJobHolds(out, front, side);
        }
        assertThat(metric("igait_resumable_resumptions_total")).isGreaterThanOrEqualTo(resumptions + 1);
    }

    private Map<String, Object> config(String base, String uid, Path front, Path side, Map<String, Object> extra) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("endpoint", base + "api/v1/files");
        c.put("tokenFile", NodeTus.tokenFile(dir, keys.token(uid)).toString());
        c.put("files", List.of(file("fileuploadfront", front), file("fileuploadside", side)));
        c.put("form", Map.of("url", base + "api/v1/upload", "fields", NodeTus.formFields()));
        c.putAll(extra);
        return c;
    }

    private static Map<String, String> file(String field, Path path) {
        String name = path.getFileName().toString();
        return Map.of("field", field, "path", path.toString(), "name", name, "type", "video/" + name.substring(name.indexOf('.') + 1));
    }

    private static void assertJobHolds(JsonNode out, Path front, Path side) throws IOException {
        String sid = Http.json(out.path("form").path("body").asText()).path("submissionId").asText();
        Path job = service.dataDir().resolve("jobs").resolve(sid);
        String ext = side.getFileName().toString().substring(side.getFileName().toString().indexOf('.') + 1);
        assertThat(Videos.sha256(job.resolve("front.mp4"))).isEqualTo(Videos.sha256(front));
        assertThat(Videos.sha256(job.resolve("side." + ext))).isEqualTo(Videos.sha256(side));
        for (String field : List.of("fileuploadfront", "fileuploadside")) {
            String url = out.path("urls").path(field).asText();
            try {
                TusProtocolTest.awaitGone(TusCalls.fileOf(service.dataDir(), url));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> left = Files.list(service.dataDir().resolve("uploads"))) {
            assertThat(left).isEmpty();
        }
    }

    private static double metric(String name) {
        return TusProtocolTest.metric(Http.get(service.managementUri("/observe/metrics")).body(), name);
    }
}
