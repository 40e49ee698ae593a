package edu.niu.igait.completion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import edu.niu.igait.pipeline.UploadsForTests;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A final status is final: once Metis's result is recorded, the job shows it (the score as the value),
 * whatever the stages do afterwards; what they do shows in the history. And a failed job moved back
 * from data/failed/ is retried afresh.
 */
class FinalStatusTest extends WithPeers {

    static final String PARENT = "final@example.org";
    TestService service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void theResultStaysTheStatusWhileMailsRetryAndGiveUpAndTicketsMovedBackFromFailedAreRetriedAfresh() throws Exception {
        Map<String, String> p = CompletionTest.properties();
        p.put("igait.retry.give-up-after", "5s");
        service = TestService.start(p);
        String uid = "final-user";
        // Every status the app sees, as the app sees them (a listener on the database).
        edu.niu.igait.support.StatusWatch watch = edu.niu.igait.support.StatusWatch.open(peers);
        List<String> seen = watch.status(uid, 0);
        peers.mail.stop();
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
        String sid = UploadsForTests.post(service.uri("/api/v1/upload"), uid, PARENT, "x", video, video);
        await().atMost(Peers.timeout()).until(() -> "the mail server is unavailable, retrying".equals(value(uid)));
        StoredJobs.keyframed(peers, uid, 0, "mp4", "mp4", 1000);

        // The result comes while the welcome mail retries; its own mail cannot go either.
        assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.result(uid, 0, "OK", "0.91"),
                CompletionCalls.KEY).statusCode()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> "Complete".equals(code(uid)) && "0.91".equals(value(uid)));

        // Both mails give up: the job still shows its result, the failures only in the history.
        Path failedWelcome = service.dataDir().resolve("failed/4-notify").resolve(sid);
        await().atMost(Peers.timeout()).until(() -> Files.exists(failedWelcome) && tickets("failed/5-complete").size() == 1);
        Thread.sleep(500);
        assertThat(code(uid)).isEqualTo("Complete");
        assertThat(value(uid)).isEqualTo("0.91");
        JsonNode status = Http.json(Http.get(service.uri("/api/v1/submissions/" + sid)).body());
        assertThat(status.get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(status.get("history").findValuesAsText("note"))
                .anyMatch(n -> n.contains("the mail server is unavailable, gave up retrying"));

        // Moved back while the mail server is still down: retried afresh, not failed again at once.
        Path result = tickets("failed/5-complete").get(0);
        Files.move(failedWelcome, service.dataDir().resolve("stages/4-notify").resolve(sid));
        Files.move(result, service.dataDir().resolve("stages/5-complete").resolve(result.getFileName()));
        Thread.sleep(2500);
        assertThat(service.dataDir().resolve("stages/4-notify").resolve(sid)).exists();
        assertThat(tickets("stages/5-complete")).hasSize(1);
        assertThat(tickets("failed/4-notify")).isEmpty();

        peers.mail.start();
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid))
                && tickets("done/5-complete").size() == 1);
        assertThat(peers.mailsTo(PARENT)).hasSize(2);
        assertThat(code(uid)).isEqualTo("Complete");
        assertThat(value(uid)).isEqualTo("0.91");
        // Once the result was there, the app never saw anything else, not even for a moment.
        List<String> afterResult = seen.subList(seen.indexOf("Complete: 0.91"), seen.size());
        assertThat(afterResult).containsOnly("Complete: 0.91");
        watch.close();
    }

    private static String code(String uid) {
        return StoredJobs.job(peers, uid, 0).get("status").get("code").asText();
    }

    private static String value(String uid) {
        JsonNode job = StoredJobs.job(peers, uid, 0);
        return job == null || job.get("status") == null ? null : job.get("status").get("value").asText();
    }

    private List<Path> tickets(String folder) throws Exception {
        Path dir = service.dataDir().resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            // Not the marker a stage keeps beside the ticket it works on (readLock: markerFile).
            return files.filter(f -> !f.getFileName().toString().startsWith(".") && !f.getFileName().toString().endsWith(".camelLock"))
                    .filter(Files::isRegularFile).toList();
        }
    }
}
