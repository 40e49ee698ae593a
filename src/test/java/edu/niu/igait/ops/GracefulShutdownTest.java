package edu.niu.igait.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.StageTickets;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while a job is inside each stage (held there by its peer being down, or by a slow qsub): the
 * process stops by itself, without Camel forcing the routes down; the job's ticket stays in the stage
 * it was in (or, when the stage's step was under way and finished, in the next one), the job is not
 * failed; the restart finishes it once: one Firebase job, one accepted qsub, one welcome mail.
 */
class GracefulShutdownTest extends WithPeers {

    static final String KEY = "graceful-shutdown-access-key-9f";

    private ServiceProcess service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    /**
     * The service that meets Firebase down waits this long for each of its calls (not the 5 s of
     * {@link Peers#properties()}): the first attempt fails after it, and the SIGTERM waits for the attempt under way.
     */
    static final Map<String, String> FIREBASE_DOWN = Map.of("igait.firebase.timeout", "1s");

    @Test
    void sigtermWhileStage1RetriesLeavesTheTicketThereAndTheRestartFinishesTheJobOnce() throws Exception {
        heldByAPeerDown("shutdown-record", "1-record", () -> peers.firebase.stop(), () -> peers.firebase.start(), FIREBASE_DOWN);
    }

    @Test
    void sigtermWhileStage2RetriesLeavesTheTicketThereAndTheRestartFinishesTheJobOnce() throws Exception {
        heldByAPeerDown("shutdown-store", "2-store", () -> peers.s3.stop(), () -> peers.s3.start(), Map.of());
    }

    @Test
    void sigtermWhileStage3RetriesLeavesTheTicketThereAndTheRestartFinishesTheJobOnce() throws Exception {
        heldByAPeerDown("shutdown-submit", "3-submit", () -> peers.metis.stop(), () -> peers.metis.start(), Map.of());
    }

    @Test
    void sigtermWhileStage4RetriesLeavesTheTicketThereAndTheRestartFinishesTheJobOnce() throws Exception {
        heldByAPeerDown("shutdown-notify", "4-notify", () -> peers.mail.stop(), () -> peers.mail.start(), Map.of());
    }

    @Test
    void sigtermDuringAQsubLetsItFinishAndTheRestartGoesOnFromTheNextStage() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "shutdown-qsub";
        peers.metis.replyDelay(Duration.ofSeconds(4));
        String sid = upload(uid);
        awaitTaken(dataDir, "3-submit", sid);
        await().atMost(Peers.timeout()).until(() -> peers.metis.commands().size() == 1);

        stop();
        peers.metis.replyDelay(Duration.ZERO);
        // The qsub under way was answered and recorded: the ticket went on to stage 4, which took no new work.
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(dataDir.resolve("stages/4-notify").resolve(sid)).exists();
        assertThat(peers.mailsTo(uid + "@example.org")).isEmpty();

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
        assertThat(peers.metis.commands()).hasSize(1);
    }

    @Test
    void sigtermWhileStage5RetriesLeavesTheResultThereAndTheRestartAppliesItOnce() throws Exception {
        // Firebase is up for the job's four stages, then down for the result: 2 s, a margin for the calls that must pass.
        service = start(null, Map.of("igait.firebase.timeout", "2s"));
        Path dataDir = service.dataDir();
        String uid = "shutdown-complete";
        String sid = upload(uid);
        await().atMost(Peers.timeout()).until(() -> Files.exists(dataDir.resolve("done").resolve(sid)));

        peers.firebase.stop();
        try {
            var r = Http.post(service.uri("/api/v1/completion"), new Multipart().field("user_id", uid).field("job_id", "0")
                    .field("status_code", "OK").field("status_content", "0.91").field("igait_access_key", KEY));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            String ticket = Http.json(r.body()).get("ticket").asText();
            awaitTaken(dataDir, "5-complete", ticket);
            await().atMost(Peers.timeout()).until(() -> StageTickets.retries(dataDir.resolve("stages/5-complete").resolve(ticket)) >= 1);
            stop();
            assertThat(dataDir.resolve("stages/5-complete").resolve(ticket)).exists();
            assertThat(dataDir.resolve("failed/5-complete")).doesNotExist();
        } finally {
            peers.firebase.start();
        }

        service = start(dataDir);
        await().atMost(Peers.timeout()).until(() -> "Complete".equals(peers.user(uid).path("jobs").path(0).path("status").path("code").asText()));
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(uid + "@example.org").size() == 2);
        assertThat(peers.user(uid).path("jobs").size()).isEqualTo(1);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    // ---- helpers ----

    /** The job waits in {@code stage} for its peer, retrying; SIGTERM; then the peer back and a restart. */
    private void heldByAPeerDown(String uid, String stage, Runnable down, Runnable up, Map<String, String> whileDown)
            throws Exception {
        service = start(null, whileDown);
        Path dataDir = service.dataDir();
        down.run();
        String sid;
        try {
            sid = upload(uid);
            awaitTaken(dataDir, stage, sid);
            await().atMost(Peers.timeout()).until(() -> StageTickets.retries(dataDir.resolve("stages").resolve(stage).resolve(sid)) >= 1);
            stop();
            assertThat(dataDir.resolve("stages").resolve(stage).resolve(sid)).as("the ticket stays in " + stage).exists();
            assertThat(dataDir.resolve("failed").resolve(stage)).as("no failure").doesNotExist();
            JsonNode job = Http.json(Files.readString(dataDir.resolve("jobs").resolve(sid).resolve("job.json")));
            assertThat(job.path("status").path("code").asText()).isNotEqualTo("SubmissionErr");
        } finally {
            up.run();
        }
        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
    }

    /** SIGTERM; the process ends by itself, and Camel did not have to force anything down. */
    private void stop() {
        service.terminate();
        service.awaitExit(Duration.ofSeconds(90));
        String log = service.logText();
        assertThat(log).contains("stopping: readiness is DOWN");
        assertThat(log).as("the shutdown was graceful").doesNotContain("Forcing the routes to be shutdown now")
                .doesNotContain("Forcing shutdown");
    }

    private ServiceProcess start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    private ServiceProcess start(Path dataDir, Map<String, String> more) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        if (dataDir != null) {
            props.put("igait.data-dir", dataDir.toString());
        }
        // Retries far apart: a job waits for its next attempt when the SIGTERM comes (the shutdown must not wait for it).
        props.put("igait.retry.initial-delay-ms", "500");
        props.put("igait.retry.max-delay-ms", "60000");
        props.put("igait.retry.multiplier", "8");
        props.putAll(more);
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        env.put("IGAIT_ACCESS_KEY", KEY);
        return ServiceProcess.start(props, env).awaitHealthy();
    }

    private String upload(String uid) {
        Path video = Videos.mp4(tmp.resolve(uid + ".mp4"), 80_000);
        var r = Http.post(service.uri("/api/v1/upload"), new Multipart().field("uid", uid).field("age", "7").field("ethnicity", "x")
                .field("sex", "F").field("height", "120cm").field("weight", "30").field("email", uid + "@example.org")
                .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Http.json(r.body()).get("submissionId").asText();
    }

    private static void awaitTaken(Path dataDir, String stage, String name) {
        Path stageDir = dataDir.resolve("stages").resolve(stage);
        await().atMost(Peers.timeout()).until(() ->
                Files.exists(stageDir.resolve(name)) && Files.exists(stageDir.resolve(name + ".camelLock")));
    }

    /** The job reached done/ with one Firebase job, one accepted qsub and one welcome mail; nothing left in stages/. */
    private static void awaitDoneOnce(Path dataDir, String uid, String sid) throws Exception {
        await().atMost(Peers.timeout()).until(() -> Files.exists(dataDir.resolve("done").resolve(sid)));
        JsonNode jobs = peers.user(uid).get("jobs");
        assertThat(jobs.size()).isEqualTo(1);
        assertThat(jobs.get(0).get("submission_id").asText()).isEqualTo(sid);
        assertThat(jobs.get(0).get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(peers.mailsTo(uid + "@example.org")).hasSize(1);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
        try (Stream<Path> left = Files.walk(dataDir.resolve("stages"))) {
            assertThat(left.filter(Files::isRegularFile)).as("tickets or lock files left in stages/").isEmpty();
        }
    }
}
