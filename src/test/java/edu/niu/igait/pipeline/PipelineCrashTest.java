package edu.niu.igait.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.SlowProxy;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as its own JVM, killed with SIGKILL while a job is inside a stage (held there by its
 * peer being down or slow), then started again on the same data folder: the job resumes in that
 * stage and finishes with one Firebase job, one accepted qsub and one welcome mail. Each with every
 * stage working on one job at a time and on four; and a kill while four jobs are under way in stage 2
 * at once.
 */
class PipelineCrashTest extends WithPeers {

    /** The stages whose concurrency is a property (5-complete takes one result at a time). */
    static final List<String> STAGES = List.of("1-record", "2-store", "3-submit", "4-notify");

    ServiceProcess service;

    @AfterEach
    void killService() {
        if (service != null) {
            service.kill();
        }
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void killedInStage1WhileFirebaseIsDownResumesThere(int concurrency) throws Exception {
        service = start(null, concurrency);
        Path dataDir = service.dataDir();
        String uid = "crash-record";

        peers.firebase.stop();
        String sid = upload(uid);
        awaitTaken(dataDir, "1-record", sid);
        service.kill();
        assertThat(dataDir.resolve("stages/1-record").resolve(sid)).exists();
        peers.firebase.start();

        service = start(dataDir, concurrency);
        awaitDoneOnce(dataDir, uid, sid);
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void killedInStage2WhileS3IsDownResumesThere(int concurrency) throws Exception {
        service = start(null, concurrency);
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

        service = start(dataDir, concurrency);
        awaitDoneOnce(dataDir, uid, sid);
        try (var s3 = peers.s3.client()) {
            for (String key : new String[] {"front.mp4", "side.mp4", "extensions.json"}) {
                assertThat(s3.headObject(HeadObjectRequest.builder().bucket(Peers.BUCKET).key(uid + "/0/" + key).build())
                        .contentLength()).isPositive();
            }
        }
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void killedInStage3WhileQsubIsHeldResumesThereAndTheKilledQsubDoesNotCount(int concurrency) throws Exception {
        service = start(null, concurrency);
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

        service = start(dataDir, concurrency);
        awaitDoneOnce(dataDir, uid, sid);
        // The qsub's outcome was unknown: PBS was asked first, had no such job, and the qsub went again.
        assertThat(peers.metis.commands()).hasSize(3);
        assertThat(peers.metis.commands().get(1)).isEqualTo("qselect -N igait-" + uid + "-0");
        assertThat(peers.metis.commands().get(2)).isEqualTo(peers.metis.commands().get(0));
        assertThat(peers.metis.abandoned()).hasSize(1);
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void killedAfterPbsTookTheJobButBeforeItsIdWasSavedResumesWithoutASecondPbsJob(int concurrency) throws Exception {
        service = start(null, concurrency);
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

        service = start(dataDir, concurrency);
        awaitDoneOnce(dataDir, uid, sid);
        // PBS was asked, had the job, and no second qsub went.
        assertThat(peers.metis.commands()).hasSize(2);
        assertThat(peers.metis.commands().get(1)).isEqualTo("qselect -N igait-" + uid + "-0");
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 4})
    void killedInStage4WhileSmtpIsDownResumesThere(int concurrency) throws Exception {
        service = start(null, concurrency);
        Path dataDir = service.dataDir();
        String uid = "crash-notify";

        peers.mail.stop();
        String sid;
        try {
            sid = upload(uid);
            awaitTaken(dataDir, "4-notify", sid);
            await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(RealtimeDb.status(peers, uid, sid)
                    .get("value").asText()).isEqualTo("the mail server is unavailable, retrying"));
            service.kill();
            assertThat(dataDir.resolve("stages/4-notify").resolve(sid)).exists();
        } finally {
            peers.mail.start();
        }

        service = start(dataDir, concurrency);
        awaitDoneOnce(dataDir, uid, sid);
    }

    @Test
    void killedWhileFourJobsAreInFlightInStage2ResumesEachOnceAndTheFirstToArriveWentFirst() throws Exception {
        // S3 behind a slow link: each video takes seconds, so four jobs are seen in flight together.
        int jobs = 6;
        long videoBytes = 1_500_000;
        List<String> uids = new ArrayList<>();
        List<String> sids = new ArrayList<>();
        Path dataDir;
        try (SlowProxy slowS3 = new SlowProxy(peers.s3.endpoint(), 256 * 1024)) {
            // Stage 1 one at a time, so the tickets reach stage 2 in the order they were uploaded.
            service = start(null, 4, Map.of("igait.s3.endpoint", slowS3.endpoint().toString(),
                    "igait.stage.1-record.concurrency", "1"));
            dataDir = service.dataDir();
            Path video = Videos.mp4(tmp.resolve("in-flight.mp4"), videoBytes);
            for (int i = 0; i < jobs; i++) {
                String uid = "in-flight-" + i;
                uids.add(uid);
                sids.add(Uploads.post(service.uri("/api/v1/upload"), uid, uid + "@example.org", "x", video, video));
            }
            await().atMost(Peers.timeout()).until(() -> slowS3.connectionsThatSentMoreThan(64 * 1024) >= 4);
            List<String> working = new ArrayList<>();
            for (String sid : sids) {
                if ("2-store".equals(jobStage(dataDir, sid))) {
                    working.add(sid);
                }
            }
            service.kill();
            // Four at once, and the four that arrived first; the others waited for a free thread.
            assertThat(working).containsExactlyElementsOf(sids.subList(0, 4));
            for (String sid : working) {
                assertThat(dataDir.resolve("stages/2-store").resolve(sid)).exists();
                assertThat(dataDir.resolve("jobs").resolve(sid).resolve("front.mp4")).exists();
                assertThat(dataDir.resolve("jobs").resolve(sid).resolve("side.mp4")).exists();
            }
        }

        service = start(dataDir, 4);
        await().atMost(Peers.timeout()).until(() -> sids.stream().allMatch(s -> Files.exists(dataDir.resolve("done").resolve(s))));
        for (int i = 0; i < jobs; i++) {
            String uid = uids.get(i);
            JsonNode userJobs = peers.user(uid).get("jobs");
            assertThat(userJobs.size()).as("Firebase jobs of %s", uid).isEqualTo(1);
            assertThat(userJobs.get(0).get("submission_id").asText()).isEqualTo(sids.get(i));
            assertThat(userJobs.get(0).get("status").get("code").asText()).isEqualTo("Processing");
            assertThat(peers.metis.submissions().stream().filter(q -> q.userId().equals(uid))).as("qsubs of %s", uid).hasSize(1);
            assertThat(peers.mailsTo(uid + "@example.org")).as("welcome mails of %s", uid).hasSize(1);
            try (var s3 = peers.s3.client()) {
                for (String key : new String[] {"front.mp4", "side.mp4"}) {
                    assertThat(s3.headObject(HeadObjectRequest.builder().bucket(Peers.BUCKET).key(uid + "/0/" + key).build())
                            .contentLength()).isEqualTo(videoBytes);
                }
                assertThat(s3.headObject(HeadObjectRequest.builder().bucket(Peers.BUCKET).key(uid + "/0/extensions.json").build())
                        .contentLength()).isPositive();
            }
        }
        assertThat(peers.metis.submissions()).hasSize(jobs);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
        try (Stream<Path> left = Files.walk(dataDir.resolve("stages"))) {
            assertThat(left.filter(Files::isRegularFile)).as("tickets or lock files left in stages/").isEmpty();
        }
    }

    // ---- helpers ----

    /**
     * A service process for the peers, every stage working on {@code concurrency} jobs at once; on
     * {@code dataDir} when given (a restart), else a fresh one.
     */
    private ServiceProcess start(Path dataDir, int concurrency) {
        return start(dataDir, concurrency, Map.of());
    }

    private ServiceProcess start(Path dataDir, int concurrency, Map<String, String> more) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        for (String stage : STAGES) {
            props.put("igait.stage." + stage + ".concurrency", Integer.toString(concurrency));
        }
        if (dataDir != null) {
            props.put("igait.data-dir", dataDir.toString());
        }
        props.putAll(more);
        return ServiceProcess.start(props, peers.environment()).awaitHealthy();
    }

    private String upload(String uid) {
        Path video = Videos.mp4(tmp.resolve(uid + ".mp4"), 100_000);
        return Uploads.post(service.uri("/api/v1/upload"), uid, uid + "@example.org", "x", video, video);
    }

    /** The stage job.json names: the stage that last opened the job's ticket. */
    private static String jobStage(Path dataDir, String sid) throws java.io.IOException {
        return edu.niu.igait.support.Http.json(Files.readString(dataDir.resolve("jobs").resolve(sid).resolve("job.json")))
                .path("stage").asText();
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
