package edu.niu.igait.completion;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.Haproxy;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ReplicaCluster;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.UploadAnswers;
import edu.niu.igait.support.UploadAnswers.Answer;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static edu.niu.igait.completion.CompletionCalls.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas behind Debian's HAProxy (as {@link ReplicasTest}, each a JVM on its own folder, name and
 * ports, sharing the peers), one of them killed in a burst of uploads and both restarted one after the
 * other under a steady stream: whatever the balancer answered 202 is done once (one qsub, one welcome),
 * a result for a job of the killed replica is applied and mailed by the other, and a graceful restart
 * refuses nothing other than with 503 and Retry-After.
 */
class ReplicaRestartTest extends WithPeers {

    static Path dir;
    static ReplicaCluster cluster;
    static UploadAnswers uploads;

    @BeforeAll
    static void startReplicas() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Haproxy.installed(), Haproxy.BINARY + " is not installed");
        dir = Files.createTempDirectory("igait-replica-restart-");
        uploads = new UploadAnswers(Videos.mp4(dir.resolve("front.mp4"), 40_000));
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        // A restart waits for the uploads in progress that long, and the stages' end up to the shutdown timeout.
        props.put("igait.shutdown.drain", "2s");
        props.put("camel.main.shutdown-timeout", "15");
        // The balancer is a trusted proxy: its connections count in the total only, not against one address's cap.
        props.put("igait.http.trusted-proxies", "127.0.0.1/32");
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        env.put("IGAIT_ACCESS_KEY", KEY);
        cluster = new ReplicaCluster(2, dir, props, env, ServiceProcess.Jvm.QUICK);
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            edu.niu.igait.job.DurableFiles.deleteTree(dir);
        }
    }

    @Test
    void aReplicaKilledInABurstDoesEveryJobItAcceptedOnceBackOnItsFolderAndTheOtherAppliesItsResultsMeanwhile() throws Exception {
        // A job Metis has (and its parent welcomed) from the replica that will be killed, for its result to come while it is down.
        Answer before = uploads.post(cluster.replica(1).uri("/api/v1/upload"), "before-kill");
        assertThat(before.status()).isEqualTo(202);
        int beforeJob = awaitAll(List.of(before), "Processing").get(0);
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo("before-kill@example.org").size() == 1);

        // Killed once four are answered and one of them was accepted by it: jobs it took that are not done, others it is reading.
        AtomicBoolean killed = new AtomicBoolean();
        Path held = cluster.dataDir(1).resolve("jobs");
        List<Answer> answers = uploads.burst(cluster.balancer().uri("/api/v1/upload"), "kill", 12, sofar -> {
            if (sofar.size() >= 4 && UploadAnswers.accepted(sofar).stream().anyMatch(a -> Files.isDirectory(held.resolve(a.sid())))
                    && killed.compareAndSet(false, true)) {
                cluster.kill(1);
            }
        });
        assertThat(killed).as("answers: %s", UploadAnswers.tally(answers)).isTrue();
        assertThat(cluster.replica(1).isAlive()).isFalse();

        // Metis posts its result through the balancer while the replica that took the job is down.
        StoredJobs.keyframed(peers, "before-kill", beforeJob, "mp4", "mp4", 500);
        HttpResponse<String> r = CompletionCalls.multipart(cluster.balancer().uri(""), CompletionCalls.withKey("before-kill", beforeJob, "OK", "0.61"), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> CompletionTest.resultMails(peers, "before-kill@example.org", CompletionTest.RESULT_SUBJECT).size() == 1);
        JsonNode job = StoredJobs.job(peers, "before-kill", beforeJob);
        assertThat(job.path("status").path("code").asText()).isEqualTo("Complete");
        assertThat(job.path("completion").path("mail_claim").asText()).startsWith(cluster.name(0) + "/");

        cluster.start(1);
        List<Answer> accepted = UploadAnswers.accepted(answers);
        // Those the killed replica was reading may break (HAProxy cannot send a body again), the rest are accepted.
        assertThat(answers).as("answers: %s", UploadAnswers.tally(answers))
                .allMatch(a -> a.status() == 202 || a.status() == 0 || a.status() == 502 || a.status() == 503);
        assertThat(accepted).as("answers: %s", UploadAnswers.tally(answers)).hasSizeGreaterThanOrEqualTo(4);
        assertEachDoneOnce(accepted);
        // The replica back on its folder did not mail the result again.
        assertThat(peers.mailsTo("before-kill@example.org")).as("the welcome and the result").hasSize(2);
        assertThat(peers.metis.submissions().stream().filter(q -> "before-kill".equals(q.userId()))).hasSize(1);
    }

    @Test
    void aRollingRestartUnderAStreamOfUploadsRefusesOnlyWithRetryAfterAndDoesEveryAcceptedJobOnce() throws Exception {
        UploadAnswers.Stream stream = uploads.stream(cluster.balancer().uri("/api/v1/upload"), "rolling", 300);
        Thread.sleep(1000);
        for (int r = 0; r < cluster.size(); r++) {
            cluster.restart(r);
        }
        List<Answer> answers = stream.stop();

        assertThat(UploadAnswers.tally(answers)).as("answers").containsOnlyKeys("202", "503 with Retry-After")
                .containsKey("202");
        List<Answer> accepted = UploadAnswers.accepted(answers);
        assertEachDoneOnce(accepted);
    }

    // ---- helpers ----

    /** Waits until each accepted upload's job shows {@code code} (or Complete) in the job store; returns their job ids. */
    private static List<Integer> awaitAll(List<Answer> accepted, String code) {
        List<Integer> jobIds = new ArrayList<>();
        await().atMost(Peers.timeout()).untilAsserted(() -> {
            JsonNode index = Http.json(peers.firebase.get("submissions"));
            JsonNode users = Http.json(peers.firebase.get("users"));
            List<String> waiting = new ArrayList<>();
            jobIds.clear();
            for (Answer a : accepted) {
                JsonNode ref = index.path(a.sid());
                String now = users.path(a.uid()).path("jobs").path(ref.path("job_id").asInt()).path("status").path("code").asText();
                if (ref.has("job_id") && (now.equals(code) || now.equals("Complete"))) {
                    jobIds.add(ref.get("job_id").asInt());
                } else {
                    waiting.add(a.uid() + " " + now);
                }
            }
            assertThat(waiting).as("jobs not %s yet", code).isEmpty();
        });
        return jobIds;
    }

    /**
     * Waits until every accepted upload's job is Processing and its welcome sent (stage 4, after the qsub),
     * then a second more for a double to show: one job in the job store for its uid, one qsub, one mail.
     */
    private static void assertEachDoneOnce(List<Answer> accepted) throws Exception {
        awaitAll(accepted, "Processing");
        await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(accepted)
                .as("welcomed").allMatch(a -> !peers.mailsTo(a.uid() + "@example.org").isEmpty()));
        Thread.sleep(1000);
        for (Answer a : accepted) {
            assertThat(peers.user(a.uid()).path("jobs").size()).as("jobs of " + a.uid()).isEqualTo(1);
            assertThat(peers.metis.submissions().stream().filter(q -> a.uid().equals(q.userId()))).as("qsubs of " + a.uid()).hasSize(1);
            assertThat(peers.mailsTo(a.uid() + "@example.org")).as("mails to " + a.uid()).hasSize(1);
        }
    }
}
