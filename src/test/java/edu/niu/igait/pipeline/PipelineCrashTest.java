package edu.niu.igait.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as its own JVM, killed with SIGKILL while a job is inside a stage (held there by its
 * peer being down or slow), then started again on the same data folder: the job resumes in that
 * stage and finishes with one Firebase job, one accepted qsub and one welcome mail.
 */
class PipelineCrashTest extends WithPeers {

    ServiceProcess service;

    @AfterEach
    void killService() {
        if (service != null) {
            service.kill();
        }
    }

    @Test
    void killedInStage1WhileFirebaseIsDownResumesThere() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "crash-record";

        peers.firebase.stop();
        String sid = upload(uid);
        awaitTaken(dataDir, "1-record", sid);
        service.kill();
        assertThat(dataDir.resolve("stages/1-record").resolve(sid)).exists();
        peers.firebase.start();

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
    }

    @Test
    void killedInStage2WhileS3IsDownResumesThere() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "crash-store";

        peers.s3.stop();
        String sid;
        try {
            sid = upload(uid);
            awaitTaken(dataDir, "2-store", sid);
            await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(RealtimeDb.status(peers, uid, sid)
                    .get("value").asText()).isEqualTo("S3 unavailable, retrying"));
            service.kill();
            assertThat(dataDir.resolve("stages/2-store").resolve(sid)).exists();
        } finally {
            peers.s3.start();
        }

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
        try (var s3 = peers.s3.client()) {
            for (String key : new String[] {"front.mp4", "side.mp4", "extensions.json"}) {
                assertThat(s3.headObject(HeadObjectRequest.builder().bucket(Peers.BUCKET).key(uid + "/0/" + key).build())
                        .contentLength()).isPositive();
            }
        }
    }

    @Test
    void killedInStage3WhileQsubIsHeldResumesThereAndTheKilledQsubDoesNotCount() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "crash-submit";

        // Metis holds its answer; the service dies before it comes.
        peers.metis.replyDelay(Duration.ofSeconds(5));
        String sid = upload(uid);
        awaitTaken(dataDir, "3-submit", sid);
        await().atMost(Peers.timeout()).until(() -> peers.metis.commands().size() == 1);
        service.kill();
        peers.metis.replyDelay(Duration.ZERO);
        assertThat(dataDir.resolve("stages/3-submit").resolve(sid)).exists();
        // The command whose session died unanswered was never accepted.
        await().atMost(Peers.timeout()).until(() -> peers.metis.abandoned().size() == 1);
        assertThat(peers.metis.submissions()).isEmpty();

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
        // The qsub's outcome was unknown: PBS was asked first, had no such job, and the qsub went again.
        assertThat(peers.metis.commands()).hasSize(3);
        assertThat(peers.metis.commands().get(1)).isEqualTo("qselect -N igait-" + uid + "-0");
        assertThat(peers.metis.commands().get(2)).isEqualTo(peers.metis.commands().get(0));
        assertThat(peers.metis.abandoned()).hasSize(1);
    }

    @Test
    void killedAfterPbsTookTheJobButBeforeItsIdWasSavedResumesWithoutASecondPbsJob() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "crash-taken";

        // PBS takes the job at once; its answer is held back, and the service dies before it comes.
        peers.metis.submitBeforeReply(true).replyDelay(Duration.ofSeconds(5));
        String sid = upload(uid);
        awaitTaken(dataDir, "3-submit", sid);
        await().atMost(Peers.timeout()).until(() -> peers.metis.submissions().size() == 1);
        service.kill();
        peers.metis.replyDelay(Duration.ZERO);
        assertThat(dataDir.resolve("stages/3-submit").resolve(sid)).exists();

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
        // PBS was asked, had the job, and no second qsub went.
        assertThat(peers.metis.commands()).hasSize(2);
        assertThat(peers.metis.commands().get(1)).isEqualTo("qselect -N igait-" + uid + "-0");
    }

    @Test
    void killedInStage4WhileSmtpIsDownResumesThere() throws Exception {
        service = start(null);
        Path dataDir = service.dataDir();
        String uid = "crash-notify";

        peers.mail.stop();
        String sid;
        try {
            sid = upload(uid);
            awaitTaken(dataDir, "4-notify", sid);
            await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(RealtimeDb.status(peers, uid, sid)
                    .get("value").asText()).isEqualTo("the mail server unavailable, retrying"));
            service.kill();
            assertThat(dataDir.resolve("stages/4-notify").resolve(sid)).exists();
        } finally {
            peers.mail.start();
        }

        service = start(dataDir);
        awaitDoneOnce(dataDir, uid, sid);
    }

    // ---- helpers ----

    /** A service process for the peers; on {@code dataDir} when given (a restart), else a fresh one. */
    private ServiceProcess start(Path dataDir) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        if (dataDir != null) {
            props.put("igait.data-dir", dataDir.toString());
        }
        return ServiceProcess.start(props, peers.environment()).awaitHealthy();
    }

    private String upload(String uid) {
        Path video = Videos.mp4(tmp.resolve(uid + ".mp4"), 100_000);
        return Uploads.post(service.uri("/api/v1/upload"), uid, uid + "@example.org", "x", video, video);
    }

    /** The stage's file consumer has taken the ticket (its marker file is there): the stage is under way. */
    private static void awaitTaken(Path dataDir, String stage, String sid) {
        Path stageDir = dataDir.resolve("stages").resolve(stage);
        await().atMost(Peers.timeout()).until(() ->
                Files.exists(stageDir.resolve(sid)) && Files.exists(stageDir.resolve(sid + ".camelLock")));
    }

    /** The job reached done/ with one Firebase job, one accepted qsub and one welcome mail. */
    private static void awaitDoneOnce(Path dataDir, String uid, String sid) throws Exception {
        await().atMost(Peers.timeout()).until(() -> Files.exists(dataDir.resolve("done").resolve(sid)));
        JsonNode jobs = peers.user(uid).get("jobs");
        assertThat(jobs.size()).isEqualTo(1);
        JsonNode job = jobs.get(0);
        assertThat(job.get("submission_id").asText()).isEqualTo(sid);
        assertThat(peers.metis.submissions()).hasSize(1);
        assertThat(peers.metis.submissions().get(0).userId()).isEqualTo(uid);
        assertThat(peers.metis.submissions().get(0).jobId()).isEqualTo("0");
        String pbsId = peers.metis.submissions().get(0).pbsId();
        assertThat(job.get("pbs_id").asText()).isEqualTo(pbsId);
        assertThat(job.get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(job.get("status").get("value").asText()).isEqualTo("Submitted to Metis as PBS job " + pbsId + ".");
        assertThat(peers.mailsTo(uid + "@example.org")).hasSize(1);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
        try (Stream<Path> left = Files.walk(dataDir.resolve("stages"))) {
            assertThat(left.filter(Files::isRegularFile)).as("tickets or lock files left in stages/").isEmpty();
        }
    }
}
