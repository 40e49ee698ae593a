package edu.niu.igait.resumable;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * igait.resumable.expire-after: an upload not submitted in time, finished or not, answers 404 from its
 * Upload-Expires on, cannot be named by a form, no longer counts against its uid's bytes, and the
 * retention sweep (routes/retention.yaml) deletes it: nothing of it is left in data/.
 */
class ResumableExpiryTest {

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.upload.max-video-bytes", "100000");
        p.put("igait.resumable.per-user-bytes", "100000");
        p.put("igait.resumable.expire-after", "3s");
        p.put("igait.retention.first-sweep", "1s");
        p.put("igait.retention.sweep-period", "1s");
        service = TusCalls.signedIn(keys, p);
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
    void anUploadNotSubmittedInTimeIsGoneAndTheSweepLeavesNothing() throws Exception {
        String token = keys.token("late-parent");
        TusCalls tus = new TusCalls(service::uri);
        String finished = tus.upload(token, Videos.bytes("mp4", 40_000), "front.mp4", 40_000);
        HttpResponse<String> created = tus.create(token, 60_000, "side.mp4");
        String half = created.headers().firstValue("Location").orElseThrow();
        tus.patch(token, half, 0, Videos.bytes("mp4", 10_000));
        Instant expires = ZonedDateTime.parse(created.headers().firstValue("Upload-Expires").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(tus.create(token, 1, "more.mp4").statusCode()).as("the uid's bytes are held").isEqualTo(429);

        // Upload-Expires is to the second.
        while (Instant.now().isBefore(expires.plusMillis(1100))) {
            Thread.sleep(100);
        }
        assertThat(tus.head(token, half).statusCode()).isEqualTo(404);
        assertThat(tus.patch(token, half, 10_000, new byte[10]).statusCode()).isEqualTo(404);
        assertThat(tus.delete(token, finished).statusCode()).isEqualTo(404);
        HttpResponse<String> form = tus.submit(token, TusCalls.form(finished, half));
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(Http.json(form.body()).path("error").asText()).isEqualTo("unknown_upload");
        assertThat(tus.create(token, 100_000, "again.mp4").statusCode()).as("expired bytes no longer count").isEqualTo(201);

        // The sweep runs each second here: the expired uploads' folders go, the new one stays.
        TusProtocolTest.awaitGone(TusCalls.fileOf(service.dataDir(), finished));
        TusProtocolTest.awaitGone(TusCalls.fileOf(service.dataDir(), half));
        try (Stream<Path> left = Files.list(service.dataDir().resolve("files"))) {
            assertThat(left.count()).isEqualTo(1);
        }
    }
}
