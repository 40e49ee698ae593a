package edu.niu.igait.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.support.StatusWatch;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Peers that are down, slow to recover or wrongly configured, all real servers on 127.0.0.1: a job
 * waits in its stage and retries while its peer is away (the app sees what is retried), and fails
 * at once, with SubmissionErr and one operator alert, when retrying cannot help.
 */
class PipelineOutageTest extends WithPeers {

    TestService service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void s3DownWhileTwoJobsArriveBothWaitSayingSoAndFinishOnceItIsBack() throws Exception {
        service = startService(Map.of());
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 300_000);
        Path side = Videos.video(tmp.resolve("side.mov"), "mov", 200_000);
        String uid = "s3-outage";

        peers.s3.stop();
        String sid1;
        String sid2;
        try {
            sid1 = Uploads.post(service.uri("/api/v1/upload"), uid, "a@example.org", "x", front, side);
            sid2 = Uploads.post(service.uri("/api/v1/upload"), uid, "b@example.org", "x", front, side);

            // Both recorded in Firebase, both waiting in 2-store, and the app is told why.
            await().atMost(Peers.timeout()).untilAsserted(() -> {
                assertThat(status(uid, sid1).get("value").asText()).isEqualTo("S3 unavailable, retrying");
                assertThat(status(uid, sid2).get("value").asText()).isEqualTo("S3 unavailable, retrying");
            });
            assertThat(status(uid, sid1).get("code").asText()).isEqualTo("Submitting");
            assertThat(status(uid, sid2).get("code").asText()).isEqualTo("Submitting");
            assertThat(ticket("stages/2-store", sid1)).exists();
            assertThat(ticket("stages/2-store", sid2)).exists();
            assertThat(peers.metis.commands()).isEmpty();
        } finally {
            peers.s3.start();
        }

        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid1)) && Files.exists(ticket("done", sid2)));
        for (String sid : List.of(sid1, sid2)) {
            int jobId = jobIndex(uid, sid);
            assertThat(Videos.sha256(download(uid + "/" + jobId + "/front.mp4"))).isEqualTo(Videos.sha256(front));
            assertThat(Videos.sha256(download(uid + "/" + jobId + "/side.mov"))).isEqualTo(Videos.sha256(side));
            assertThat(Files.readString(download(uid + "/" + jobId + "/extensions.json"), StandardCharsets.UTF_8))
                    .isEqualTo("{\"front\":\"mp4\",\"side\":\"mov\"}");
            assertThat(status(uid, sid).get("code").asText()).isEqualTo("Processing");
        }
        assertThat(peers.user(uid).get("jobs").size()).isEqualTo(2);
        assertThat(peers.metis.submissions()).hasSize(2);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void aServiceStoppedWhileAJobRetriesLeavesItInItsStageAndTheNextStartFinishesIt() throws Exception {
        // A graceful stop (SIGTERM, docker stop) gives up waiting for the retrying job after this long.
        // A data folder of the test's own: the service deletes only one it made itself.
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        service = startService(Map.of("camel.main.shutdown-timeout", "1", "igait.data-dir", dataDir.toString()));
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
        String uid = "stopped-while-retrying";

        peers.s3.stop();
        String sid;
        try {
            sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
            await().atMost(Peers.timeout()).untilAsserted(() ->
                    assertThat(status(uid, sid).get("value").asText()).isEqualTo("S3 unavailable, retrying"));
            service.close();
            service = null;

            // Cut short by the stop, not failed: still in its stage, no SubmissionErr, no alert.
            assertThat(dataDir.resolve("stages/2-store").resolve(sid)).exists();
            assertThat(dataDir.resolve("failed/2-store").resolve(sid)).doesNotExist();
            assertThat(status(uid, sid).get("code").asText()).isEqualTo("Submitting");
            assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
        } finally {
            peers.s3.start();
        }

        service = startService(Map.of("igait.data-dir", dataDir.toString()));
        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid)));
        assertThat(status(uid, sid).get("code").asText()).isEqualTo("Processing");
        assertThat(peers.user(uid).get("jobs").size()).isEqualTo(1);
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(peers.mailsTo("p@example.org")).hasSize(1);
    }

    @Test
    void smtpDownJobsStayProcessingWhileRetryingAndGetOneWelcomeMailEachOnceItIsBack() throws Exception {
        service = startService(Map.of());
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 100_000);
        String uid = "smtp-outage";

        peers.mail.stop();
        String sid1;
        String sid2;
        try {
            sid1 = Uploads.post(service.uri("/api/v1/upload"), uid, "first@example.org", "x", video, video);
            sid2 = Uploads.post(service.uri("/api/v1/upload"), uid, "second@example.org", "x", video, video);

            await().atMost(Peers.timeout()).untilAsserted(() -> {
                assertThat(status(uid, sid1).get("value").asText()).isEqualTo("the mail server is unavailable, retrying");
                assertThat(status(uid, sid2).get("value").asText()).isEqualTo("the mail server is unavailable, retrying");
            });
            // Metis has the jobs: to the app they stay Processing while the mail is retried.
            assertThat(status(uid, sid1).get("code").asText()).isEqualTo("Processing");
            assertThat(status(uid, sid2).get("code").asText()).isEqualTo("Processing");
            assertThat(ticket("stages/4-notify", sid1)).exists();
            assertThat(ticket("stages/4-notify", sid2)).exists();
            assertThat(peers.metis.submissions()).hasSize(2);
        } finally {
            peers.mail.start();
        }

        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid1)) && Files.exists(ticket("done", sid2)));
        assertThat(peers.mailsTo("first@example.org")).hasSize(1);
        assertThat(peers.mailsTo("second@example.org")).hasSize(1);
        assertThat(peers.mail.messages()).hasSize(2);
        for (String sid : List.of(sid1, sid2)) {
            JsonNode status = status(uid, sid);
            assertThat(status.get("code").asText()).isEqualTo("Processing");
            // Once the mail is out, the app shows the submission again, not the past outage.
            assertThat(status.get("value").asText()).startsWith("Submitted to Metis as PBS job ");
        }
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void hostKeyOfAnotherMetisIsRefusedBeforeAnyCommandWithSubmissionErrAndOneAlert() throws Exception {
        // Metis's address, with the host keys of another server: what a man in the middle presents.
        MetisSimulator other = new MetisSimulator(tmp.resolve("other-host-keys"), 0);
        StringBuilder lines = new StringBuilder();
        for (MetisSimulator.KeyType type : MetisSimulator.KeyType.values()) {
            lines.append("[127.0.0.1]:").append(peers.metis.port()).append(' ')
                    .append(PublicKeyEntry.toString(other.hostKey(type))).append('\n');
        }
        Path knownHosts = Files.writeString(tmp.resolve("known_hosts_other"), lines);
        service = startService(Map.of("igait.metis.known-hosts", knownHosts.toString()));

        Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
        String uid = "mitm";
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);

        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("failed/3-submit", sid)));
        JsonNode status = status(uid, sid);
        assertThat(status.get("code").asText()).isEqualTo("SubmissionErr");
        // The value names the key Metis's address presented (its fingerprint), not a login problem.
        assertThat(status.get("value").asText()).contains("host key").contains("igait.metis.known-hosts")
                .doesNotContain("login");
        assertThat(java.util.Arrays.stream(MetisSimulator.KeyType.values())
                .map(t -> KeyUtils.getFingerPrint(peers.metis.hostKey(t))))
                .anySatisfy(fingerprint -> assertThat(status.get("value").asText()).contains(fingerprint));
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() >= 1);
        assertThat(peers.mailsTo(Peers.OPERATOR)).hasSize(1);
        assertThat(peers.mailsTo(Peers.OPERATOR).get(0).getContent().toString()).contains("3-submit");
        assertThat(peers.metis.commands()).isEmpty();
        assertThat(peers.metis.submissions()).isEmpty();
        assertThat(peers.mailsTo("p@example.org")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(MetisSimulator.KeyType.class)
    void aKnownHostsFileWithOneHostKeyTypeIsEnoughToSubmit(MetisSimulator.KeyType type) throws Exception {
        Path knownHosts = peers.metis.writeKnownHosts(tmp.resolve("known_hosts_" + type), type);
        assertThat(Files.readAllLines(knownHosts)).hasSize(1);
        service = startService(Map.of("igait.metis.known-hosts", knownHosts.toString()));

        Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
        String uid = "hostkey-" + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);

        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid)));
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(peers.metis.submissions().get(0).userId()).isEqualTo(uid);
        JsonNode status = status(uid, sid);
        assertThat(status.get("code").asText()).isEqualTo("Processing");
        assertThat(status.get("value").asText()).contains(peers.metis.submissions().get(0).pbsId());
    }

    @Test
    void qsubFailingTwiceIsRetriedThenProcessingWithOneAcceptedSubmission() throws Exception {
        service = startService(Map.of());
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
        String uid = "qsub-flaky";
        peers.metis.failNext(2);
        try (StatusWatch watch = StatusWatch.open(peers)) {
            List<String> seen = watch.status(uid, 0);
            String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);

            await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid)));
            assertThat(peers.metis.commands()).hasSize(3);
            assertThat(peers.metis.submissions()).hasSize(1);
            String pbsId = peers.metis.submissions().get(0).pbsId();
            JsonNode status = status(uid, sid);
            assertThat(status.get("code").asText()).isEqualTo("Processing");
            assertThat(status.get("value").asText()).contains(pbsId);
            // What the app saw in the Realtime Database, in order.
            await().atMost(Peers.timeout()).until(() -> seen.size() >= 4);
            assertThat(seen).containsExactly(
                    "Submitting: Submission received, being recorded.",
                    "Queue: Currently in queue.",
                    "Queue: Metis unavailable, retrying",
                    "Processing: Submitted to Metis as PBS job " + pbsId + ".");
        }
        assertThat(peers.mailsTo("p@example.org")).hasSize(1);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void aQsubWhoseAnswerComesAfterTheTimeoutIsLookedForOnPbsAndNotSentAgain() throws Exception {
        service = startService(Map.of("igait.metis.command-timeout", "2s"));
        // PBS takes the job at once, but its answer comes only after the service stopped waiting.
        peers.metis.submitBeforeReply(true).replyDelay(Duration.ofSeconds(6));
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
        String uid = "slow-qsub";
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
        await().atMost(Peers.timeout()).until(() -> peers.metis.commands().size() >= 2);
        peers.metis.replyDelay(Duration.ZERO);
        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid)));
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(peers.metis.commands()).hasSize(2);
        assertThat(peers.metis.commands().get(1)).isEqualTo("qselect -N igait-" + uid + "-0");
        assertThat(status(uid, sid).get("value").asText()).contains(peers.metis.submissions().get(0).pbsId());
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void sshHandshakesDroppedByMetisAreRetriedNotAFailure() throws Exception {
        service = startService(Map.of());
        peers.metis.dropHandshakes(2);
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
        String uid = "dropped-handshake";
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("done", sid)));
        assertThat(peers.metis.droppedHandshakes()).isEqualTo(2);
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(status(uid, sid).get("code").asText()).isEqualTo("Processing");
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void aBucketThatDoesNotExistFailsTheJobAtOnceWithSubmissionErrAndOneAlert() throws Exception {
        service = startService(Map.of("igait.s3.bucket", "igait-no-such-bucket"));
        Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
        String uid = "no-bucket";
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);

        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket("failed/2-store", sid)));
        JsonNode status = status(uid, sid);
        assertThat(status.get("code").asText()).isEqualTo("SubmissionErr");
        assertThat(status.get("value").asText()).contains("S3 refused the request").contains("NoSuchBucket");
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() >= 1);
        List<MimeMessage> alerts = peers.mailsTo(Peers.OPERATOR);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).getContent().toString()).contains("2-store");
        // Nothing lost: the videos stay on disk for the operator to send again.
        Path jobDir = service.dataDir().resolve("jobs").resolve(sid);
        assertThat(jobDir.resolve("front.mp4")).exists();
        assertThat(jobDir.resolve("side.mp4")).exists();
        assertThat(peers.metis.commands()).isEmpty();
        assertThat(peers.mailsTo("p@example.org")).isEmpty();
    }

    // ---- helpers ----

    private TestService startService(Map<String, String> overrides) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.putAll(overrides);
        return TestService.start(props);
    }

    private Path ticket(String folder, String sid) {
        return service.dataDir().resolve(folder).resolve(sid);
    }

    private static int jobIndex(String uid, String sid) {
        return RealtimeDb.jobIndex(peers, uid, sid);
    }

    private static JsonNode status(String uid, String sid) {
        return RealtimeDb.status(peers, uid, sid);
    }

    private Path download(String key) {
        Path target = tmp.resolve("dl-" + key.replace('/', '_'));
        try (var s3 = peers.s3.client()) {
            s3.getObject(GetObjectRequest.builder().bucket(Peers.BUCKET).key(key).build(), ResponseTransformer.toFile(target));
        }
        return target;
    }
}
