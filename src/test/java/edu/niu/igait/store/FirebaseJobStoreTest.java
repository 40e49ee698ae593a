package edu.niu.igait.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.firebase.internal.FirebaseProcessEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.peers.FirebaseServer;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FirebaseJobStore} against the Realtime Database peer (firebase-server): job ids allocated
 * in one transaction, a submission recorded once whatever the retries, the status as the app reads it.
 * Two stores (two connections, as two service processes would have) share the work.
 */
class FirebaseJobStoreTest {

    static FirebaseServer firebase;
    FirebaseJobStore store;
    FirebaseJobStore other;

    @BeforeAll
    static void startFirebase() {
        firebase = new FirebaseServer(0).start();
        FirebaseProcessEnvironment.setenv("FIREBASE_DATABASE_EMULATOR_HOST", firebase.emulatorHost());
    }

    @AfterAll
    static void stopFirebase() {
        FirebaseProcessEnvironment.clearCache();
        if (firebase != null) {
            firebase.close();
        }
    }

    @BeforeEach
    void openStores() {
        store = new FirebaseJobStore(Peers.DATABASE_URL, 20_000);
        other = new FirebaseJobStore(Peers.DATABASE_URL, 20_000);
    }

    @AfterEach
    void closeStores() throws Exception {
        store.close();
        other.close();
        firebase.delete("");
    }

    @Test
    void tenThreadsRecordingForOneUidAtOnceGetIndicesZeroToNine() throws Exception {
        String uid = "ten-at-once";
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jobs.add(job(uid, SubmissionId.next()));
        }
        Map<String, Integer> indexBySid = recordAtOnce(jobs);

        assertThat(indexBySid.values()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // The database agrees: ten jobs, each at the index its caller was given.
        JsonNode user = user(uid);
        assertThat(user.get("uid").asText()).isEqualTo(uid);
        assertThat(user.get("jobs").isArray()).isTrue();
        assertThat(user.get("jobs").size()).isEqualTo(10);
        indexBySid.forEach((sid, index) ->
                assertThat(user.get("jobs").get(index).get("submission_id").asText()).isEqualTo(sid));
    }

    @Test
    void recordingTheSameSubmissionAgainReturnsTheSameIndex() throws Exception {
        String uid = "again";
        Job first = job(uid, SubmissionId.next());
        Job second = job(uid, SubmissionId.next());
        assertThat(store.record(first)).isEqualTo(0);
        assertThat(other.record(second)).isEqualTo(1);

        // A repeated stage (after a crash, on either connection) finds the job instead of adding one.
        assertThat(store.record(first)).isEqualTo(0);
        assertThat(other.record(first)).isEqualTo(0);
        assertThat(store.record(second)).isEqualTo(1);
        // The same, ten times at once.
        List<Job> repeats = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            repeats.add(i % 2 == 0 ? first : second);
        }
        assertThat(recordAtOnceAll(repeats)).containsOnly(0, 1);

        JsonNode jobs = user(uid).get("jobs");
        assertThat(jobs.size()).isEqualTo(2);
        assertThat(jobs.get(0).get("submission_id").asText()).isEqualTo(first.submissionId);
        assertThat(jobs.get(1).get("submission_id").asText()).isEqualTo(second.submissionId);
    }

    @Test
    void aRecordedSubmissionIsIndexedUnderItsIdAndARepeatWritesTheSameEntry() throws Exception {
        String uid = "indexed";
        Job first = job(uid, SubmissionId.next());
        Job second = job(uid, SubmissionId.next());
        store.record(first);
        other.record(second);
        assertThat(Http.json(firebase.get("submissions/" + second.submissionId)))
                .isEqualTo(Http.json("{\"uid\":\"indexed\",\"job_id\":1}"));
        // Either connection finds either submission; an unknown or malformed id is nobody's.
        assertThat(other.submission(first.submissionId)).contains(new JobStore.SubmissionRef(uid, 0));
        assertThat(store.submission(second.submissionId)).contains(new JobStore.SubmissionRef(uid, 1));
        assertThat(store.submission(SubmissionId.next())).isEmpty();
        assertThat(store.submission("../users/indexed")).isEmpty();

        // As after a crash between the job's transaction and its index: the repeat writes it again.
        firebase.delete("submissions/" + first.submissionId);
        assertThat(store.submission(first.submissionId)).isEmpty();
        assertThat(other.record(first)).isZero();
        assertThat(store.submission(first.submissionId)).contains(new JobStore.SubmissionRef(uid, 0));
        assertThat(user(uid).get("jobs").size()).isEqualTo(2);
    }

    @Test
    void anAdministratorIsAUserWhoseAdministratorFieldIsTrue() throws Exception {
        firebase.put("users/admin/administrator", "true");
        firebase.put("users/not-quite/administrator", "\"true\"");
        store.record(job("plain", SubmissionId.next()));
        assertThat(store.administrator("admin")).isTrue();
        assertThat(store.administrator("not-quite")).isFalse();
        assertThat(store.administrator("plain")).isFalse();
        assertThat(store.administrator("nobody")).isFalse();
        assertThat(store.administrator("../admin")).isFalse();
    }

    @Test
    void setStatusWritesCodeAndValueAndLeavesTheRestOfTheJob() throws Exception {
        String uid = "status";
        Job job = job(uid, SubmissionId.next());
        int index = store.record(job);
        JsonNode before = user(uid).get("jobs").get(index);
        assertThat(before.get("status")).isEqualTo(Http.json("{\"code\":\"Submitting\",\"value\":\"Submission received, being recorded.\"}"));

        store.setStatus(uid, index, StatusCode.Queue, "Currently in queue.");
        JsonNode after = user(uid).get("jobs").get(index);
        assertThat(after.get("status")).isEqualTo(Http.json("{\"code\":\"Queue\",\"value\":\"Currently in queue.\"}"));
        ObjectNode restAfter = after.deepCopy();
        restAfter.remove("status");
        ObjectNode restBefore = before.deepCopy();
        restBefore.remove("status");
        assertThat(restAfter).isEqualTo(restBefore);

        other.setStatus(uid, index, StatusCode.SubmissionErr, "Submission failed: S3 refused the request (HTTP 404, NoSuchBucket).");
        assertThat(user(uid).get("jobs").get(index).get("status")).isEqualTo(Http.json(
                "{\"code\":\"SubmissionErr\",\"value\":\"Submission failed: S3 refused the request (HTTP 404, NoSuchBucket).\"}"));
        // What the store reads back is what the app reads.
        Object status = store.job(uid, index).orElseThrow().get("status");
        assertThat(status).isEqualTo(Map.of("code", "SubmissionErr", "value", "Submission failed: S3 refused the request (HTTP 404, NoSuchBucket)."));
    }

    @Test
    void tenUpdatesAtOnceOnTwoConnectionsDecideAgainstTheStoredJobSoOneClaimWins() throws Exception {
        String uid = "claims";
        store.record(job(uid, SubmissionId.next()));
        // As two replicas' stage 5 with the same result: each claims the mail unless the job shows a claim.
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                JobStore s = i % 2 == 0 ? store : other;
                String claimant = "replica-" + (i % 2) + "/ticket-" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return s.update(uid, 0, stored -> stored.get("mail_claim") != null ? null
                            : new LinkedHashMap<>(Map.of("mail_claim", claimant, "status", Map.of("code", "Complete", "value", "0.5"))))
                            .orElseThrow();
                }));
            }
            go.countDown();
            List<Object> seen = new ArrayList<>();
            for (Future<Map<String, Object>> f : futures) {
                seen.add(f.get(60, TimeUnit.SECONDS).get("mail_claim"));
            }
            // Every caller saw the one claim that was stored, and it is one of theirs.
            assertThat(seen).doesNotContainNull();
            assertThat(new java.util.HashSet<>(seen)).hasSize(1);
            JsonNode stored = user(uid).get("jobs").get(0);
            assertThat(stored.get("mail_claim").asText()).isEqualTo(seen.get(0)).startsWith("replica-");
            assertThat(stored.get("status").get("code").asText()).isEqualTo("Complete");
            // The rest of the job is as recorded.
            assertThat(stored.get("email").asText()).isEqualTo("p@example.org");
        } finally {
            pool.shutdownNow();
        }
        // A job that does not exist is not made by an update.
        assertThat(store.update(uid, 5, stored -> Map.of("mail_claim", "x"))).isEmpty();
        assertThat(user(uid).get("jobs").size()).isEqualTo(1);
    }

    // ---- helpers ----

    /** Records every job at the same moment, on alternating connections; the index each got, by submission id. */
    private Map<String, Integer> recordAtOnce(List<Job> jobs) throws Exception {
        List<Integer> indices = recordAtOnceAll(jobs);
        Map<String, Integer> bySid = new LinkedHashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            bySid.put(jobs.get(i).submissionId, indices.get(i));
        }
        return bySid;
    }

    private List<Integer> recordAtOnceAll(List<Job> jobs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
        CountDownLatch ready = new CountDownLatch(jobs.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                JobStore s = i % 2 == 0 ? store : other;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return s.record(job);
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<Integer> indices = new ArrayList<>();
            for (Future<Integer> f : futures) {
                indices.add(f.get(60, TimeUnit.SECONDS));
            }
            return indices;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Job job(String uid, String sid) {
        Job job = new Job();
        job.submissionId = sid;
        job.uid = uid;
        job.age = 7;
        job.ethnicity = "x";
        job.sex = "F";
        job.height = "4'2\"";
        job.weight = 55;
        job.email = "p@example.org";
        job.front = new Job.Video("mp4", 1);
        job.side = new Job.Video("mp4", 1);
        job.submittedAt = Instant.now();
        job.setStatus(StatusCode.Submitting, "Submission received, being recorded.", job.submittedAt);
        return job;
    }

    private static JsonNode user(String uid) throws Exception {
        return Http.json(firebase.get("users/" + uid));
    }
}
