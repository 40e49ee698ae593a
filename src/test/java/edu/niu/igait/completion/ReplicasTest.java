package edu.niu.igait.completion;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import edu.niu.igait.resumable.TusCalls;
import edu.niu.igait.support.Haproxy;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static edu.niu.igait.completion.CompletionCalls.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of the service, each a JVM with its own data folder and name, sharing the peers (one
 * Realtime Database, one S3, one Metis, one mail server), behind Debian's HAProxy configured as the
 * README says: whichever replica a call reaches, each job is done once (one qsub, one welcome, one
 * result mail), any replica answers for any job, the same result posted to both sets the status once
 * and sends one mail, the per-user limits (uploads and contributions, history requests) hold across
 * them, and a resumable upload, and the form that names it, go to the replica that holds its bytes.
 */
class ReplicasTest extends WithPeers {

    static final String A = "igait-a";
    static final String B = "igait-b";
    static final int PER_USER = 3;

    static KeyServer keys;
    static Path dataA;
    static Path dataB;
    static ServiceProcess a;
    static ServiceProcess b;
    static Haproxy balancer;
    static Path video;
    static Path dir;

    @BeforeAll
    static void startReplicas() throws Exception {
        keys = KeyServer.start();
        dir = Files.createTempDirectory("igait-replicas-");
        dataA = dir.resolve("a");
        dataB = dir.resolve("b");
        video = Videos.mp4(dir.resolve("front.mp4"), 40_000);
        CompletableFuture<ServiceProcess> first = CompletableFuture.supplyAsync(() -> start(A, dataA));
        b = start(B, dataB);
        a = first.join();
        // Debian's HAProxy (.ci/run installs it); the tests that do not go through it run without.
        if (Haproxy.installed()) {
            balancer = Haproxy.start(dir.resolve("haproxy"), List.of(Haproxy.Replica.of(A, a), Haproxy.Replica.of(B, b)));
        }
    }

    static ServiceProcess start(String name, Path data) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.replica.name", name);
        props.put("igait.data-dir", data.toString());
        props.put("igait.auth.mode", "firebase");
        props.put("igait.auth.project-id", KeyServer.PROJECT);
        props.put("igait.auth.keys-url", keys.url());
        props.put("igait.limits.per-user", PER_USER + "/1h");
        props.put("igait.limits.history-per-user", "2/1h");
        // The balancer is a trusted proxy: its connections count in the total only, not against one address's cap.
        props.put("igait.http.trusted-proxies", "127.0.0.1/32");
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        env.put("IGAIT_ACCESS_KEY", KEY);
        return ServiceProcess.start(props, env).awaitHealthy();
    }

    @AfterAll
    static void stopReplicas() {
        for (AutoCloseable c : new AutoCloseable[] {balancer, a, b, keys}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still stop
            }
        }
        try {
            edu.niu.igait.job.DurableFiles.deleteTree(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void throughTheBalancerUploadsStatusAndResultsLandOnEitherReplicaAndEachJobIsDoneOnce() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(balancer != null, Haproxy.BINARY + " is not installed");
        List<String> uids = List.of("lb-parent-0", "lb-parent-1", "lb-parent-2", "lb-parent-3");
        Map<String, String> sids = new LinkedHashMap<>();
        for (String uid : uids) {
            sids.put(uid, upload(balancer.uri("/api/v1/upload"), uid));
        }
        // Round robin (two each while both answer their checks in time): each replica holds what it took on its own volume.
        long onA = sids.values().stream().filter(sid -> Files.isDirectory(dataA.resolve("jobs").resolve(sid))).count();
        long onB = sids.values().stream().filter(sid -> Files.isDirectory(dataB.resolve("jobs").resolve(sid))).count();
        assertThat(onA + onB).isEqualTo(4);
        assertThat(onA).as("uploads on A").isBetween(1L, 3L);

        Map<String, Integer> jobIds = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sids.entrySet()) {
            jobIds.put(e.getKey(), awaitProcessing(e.getKey(), e.getValue()));
        }
        // A status poll answers the same through the balancer, whichever replica it reaches.
        for (Map.Entry<String, String> e : sids.entrySet()) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> status = get(balancer.uri("/api/v1/submissions/" + e.getValue()), e.getKey());
                assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
                assertThat(Http.json(status.body()).path("status").path("code").asText()).isEqualTo("Processing");
            }
        }
        for (Map.Entry<String, Integer> e : jobIds.entrySet()) {
            StoredJobs.keyframed(peers, e.getKey(), e.getValue(), "mp4", "mp4", 500);
            HttpResponse<String> r = CompletionCalls.multipart(balancer.uri(""), CompletionCalls.withKey(e.getKey(), e.getValue(), "OK", "0.61"), null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        for (Map.Entry<String, Integer> e : jobIds.entrySet()) {
            String uid = e.getKey();
            await().atMost(Peers.timeout()).until(() -> CompletionTest.resultMails(peers, uid + "@example.org", CompletionTest.RESULT_SUBJECT).size() == 1);
            assertThat(StoredJobs.job(peers, uid, e.getValue()).path("status").path("code").asText()).isEqualTo("Complete");
        }
        Thread.sleep(1000);
        for (String uid : uids) {
            assertThat(peers.mailsTo(uid + "@example.org")).as("the welcome and the result to " + uid).hasSize(2);
            assertThat(peers.metis.submissions().stream().filter(q -> uid.equals(q.userId()))).as("qsubs of " + uid).hasSize(1);
            assertThat(StoredJobs.job(peers, uid, jobIds.get(uid)).path("replica").asText()).isIn(A, B);
        }
    }

    @Test
    void aResultForAJobTheOtherReplicaTookIsAppliedAndMailedThereAndBothAnswerItsStatus() throws Exception {
        String uid = "other-replica-parent";
        String sid = upload(a.uri("/api/v1/upload"), uid);
        int jobId = awaitProcessing(uid, sid);
        assertThat(StoredJobs.job(peers, uid, jobId).path("replica").asText()).isEqualTo(A);
        StoredJobs.keyframed(peers, uid, jobId, "mp4", "mp4", 500);

        HttpResponse<String> r = CompletionCalls.multipart(b.uri(""), CompletionCalls.withKey(uid, jobId, "OK", "0.42"), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> CompletionTest.resultMails(peers, uid + "@example.org", CompletionTest.RESULT_SUBJECT).size() == 1);
        assertThat(StoredJobs.job(peers, uid, jobId).path("completion").path("mail_claim").asText()).startsWith(B + "/");

        // A holds the job (its job.json still says Processing) and answers the result from the job store; B from the store alone.
        for (ServiceProcess replica : List.of(a, b)) {
            HttpResponse<String> status = get(replica.uri("/api/v1/submissions/" + sid), uid);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(Http.json(status.body()).path("status").path("code").asText()).isEqualTo("Complete");
            assertThat(status.body()).doesNotContain("0.42");
        }
        assertThat(peers.mailsTo(uid + "@example.org")).hasSize(2);
    }

    @Test
    void theSameResultPostedToBothReplicasAtOnceSetsTheStatusOnceAndSendsOneMail() throws Exception {
        String uid = "both-replicas-parent";
        String sid = upload(b.uri("/api/v1/upload"), uid);
        int jobId = awaitProcessing(uid, sid);
        StoredJobs.keyframed(peers, uid, jobId, "mp4", "mp4", 500);
        try (StatusWatch watch = new StatusWatch(uid, jobId)) {
            await().atMost(Peers.timeout()).until(() -> !watch.seen().isEmpty());
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (ServiceProcess replica : List.of(a, b, a, b)) {
                calls.add(CompletableFuture.supplyAsync(() ->
                        CompletionCalls.multipart(replica.uri(""), CompletionCalls.withKey(uid, jobId, "OK", "0.77"), null)));
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertThat(call.join().statusCode()).isEqualTo(202);
            }
            // Every ticket of the four went through stage 5 on its replica.
            await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(completed(dataA, uid)).as("on A").hasSize(2));
            await().atMost(Peers.timeout()).untilAsserted(() -> assertThat(completed(dataB, uid)).as("on B").hasSize(2));
            Thread.sleep(1000);
            assertThat(CompletionTest.resultMails(peers, uid + "@example.org", CompletionTest.RESULT_SUBJECT)).hasSize(1);
            assertThat(watch.count("Complete")).as("status updates seen by a listener: %s", watch.seen()).isEqualTo(1);
            JsonNode completion = StoredJobs.job(peers, uid, jobId).path("completion");
            assertThat(completion.path("mailed_at").asText()).isNotEmpty();
            assertThat(completion.path("mail_claim").asText()).matches("igait-[ab]/.+");
        }
        // B holds the job: its job.json shows the result, whichever replica applied it.
        JsonNode job = Http.json(Files.readString(dataB.resolve("jobs").resolve(sid).resolve("job.json")));
        assertThat(job.path("status").path("code").asText()).isEqualTo("Complete");
    }

    @Test
    void thePerUserLimitCountsTheUploadsTheOtherReplicaTook() throws Exception {
        String uid = "limited-parent";
        List<ServiceProcess> order = List.of(a, b, a);
        for (ServiceProcess replica : order) {
            upload(replica.uri("/api/v1/upload"), uid);
        }
        // Once stage 1 of each has recorded them in the job store (the other replica counts from there):
        await().atMost(Peers.timeout()).until(() -> peers.user(uid).path("jobs").size() == PER_USER);
        for (ServiceProcess replica : List.of(b, a)) {
            HttpResponse<String> refused = post(replica.uri("/api/v1/upload"), uid);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(Http.json(refused.body()).path("error").asText()).isEqualTo("too_many_requests");
            assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(3000L, 3600L);
        }
        // Another uid is not held by it.
        assertThat(post(b.uri("/api/v1/upload"), "unlimited-parent").statusCode()).isEqualTo(202);
    }

    @Test
    void theHistoryLimitCountsTheRequestsTheOtherReplicaTook() throws Exception {
        String uid = "historian-parent";
        for (ServiceProcess replica : List.of(b, a)) {
            HttpResponse<String> accepted = history(replica, uid);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        }
        // igait.limits.history-per-user=2/1h: one on each, so the third is refused by either, before its body.
        for (ServiceProcess replica : List.of(a, b)) {
            HttpResponse<String> refused = history(replica, uid);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.body()).contains("igait.limits.history-per-user");
        }
        assertThat(peers.firebase.get("requests/history/" + uid)).contains("\"replica\":\"igait-a\"").contains("\"replica\":\"igait-b\"");
    }

    @Test
    void aResumableUploadThroughTheBalancerStaysWithItsReplicaAndTheFormFollowsIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(balancer != null, Haproxy.BINARY + " is not installed");
        String uid = "tus-lb-parent";
        String token = keys.token(uid);
        TusCalls tus = new TusCalls(balancer::uri);
        byte[] front = Videos.bytes("mp4", 120_000);
        byte[] side = Videos.bytes("mov", 90_000);

        // Created wherever round robin sent it; its PATCHes and HEADs reach that replica by the path rule
        // (round robin would send half of them to the other, which answers 421).
        String frontUrl = tus.upload(token, front, "front.mp4", 30_000);
        String replica = frontUrl.split("/")[4];
        assertThat(replica).isIn(A, B);
        // The second at the first's replica, as the README tells the app.
        String sideUrl = tus.upload(token, side, "side.mov", 30_000, "/api/v1/files?replica=" + replica);
        assertThat(sideUrl).startsWith("/api/v1/files/" + replica + "/");
        Path holder = replica.equals(A) ? dataA : dataB;
        ServiceProcess other = replica.equals(A) ? b : a;
        assertThat(Files.readAllBytes(holder.resolve("files").resolve(idOf(frontUrl)).resolve("video"))).isEqualTo(front);

        // The other replica has not got it: 421 naming the one that has, for tus and for the form.
        HttpResponse<String> head = new TusCalls(other::uri).head(token, frontUrl);
        assertThat(head.statusCode()).isEqualTo(421);
        HttpResponse<String> misdirected = new TusCalls(other::uri).submit(token, "/api/v1/upload", TusCalls.form(frontUrl, sideUrl));
        assertThat(misdirected.statusCode()).as(misdirected.body()).isEqualTo(421);
        JsonNode refusal = Http.json(misdirected.body());
        assertThat(refusal.path("error").asText()).isEqualTo("misdirected");
        assertThat(refusal.path("field").asText()).isEqualTo("fileuploadfront");
        assertThat(refusal.path("message").asText()).contains("/api/v1/upload?replica=" + replica);

        HttpResponse<String> r = tus.submit(token, "/api/v1/upload?replica=" + replica, TusCalls.form(frontUrl, sideUrl));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        Path job = holder.resolve("jobs").resolve(Http.json(r.body()).path("submissionId").asText());
        assertThat(Files.readAllBytes(job.resolve("front.mp4"))).isEqualTo(front);
        assertThat(Files.readAllBytes(job.resolve("side.mov"))).isEqualTo(side);
    }

    @Test
    void thePerUserLimitCountsContributionsOnOneReplicaAndUploadsOnTheOtherTogether() throws Exception {
        String uid = "sharing-parent";
        HttpResponse<String> contribution = contribute(a, uid);
        assertThat(contribution.statusCode()).as(contribution.body()).isEqualTo(202);
        // Noted by A in the job store before its 202.
        assertThat(peers.firebase.get("requests/contribution/" + uid)).contains("\"replica\":\"igait-a\"");
        upload(b.uri("/api/v1/upload"), uid);
        upload(b.uri("/api/v1/upload"), uid);
        await().atMost(Peers.timeout()).until(() -> peers.user(uid).path("jobs").size() == 2);

        // igait.limits.per-user=3/1h: A counts its contribution and B's two uploads, B its uploads and A's contribution.
        HttpResponse<String> onA = post(a.uri("/api/v1/upload"), uid);
        assertThat(onA.statusCode()).as(onA.body()).isEqualTo(429);
        assertThat(onA.body()).contains("igait.limits.per-user");
        HttpResponse<String> onB = contribute(b, uid);
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(429);
        assertThat(onB.body()).contains("igait.limits.per-user");
    }

    // ---- helpers ----

    private static String idOf(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static HttpResponse<String> contribute(ServiceProcess replica, String uid) {
        Multipart form = new Multipart().field("name", "Sam").field("email", uid + "@example.org")
                .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video);
        return Http.send(HttpRequest.newBuilder(replica.uri("/api/v1/contribute")).header("Authorization", "Bearer " + keys.token(uid))
                .header("Content-Type", form.contentType()).POST(form.build()).build());
    }

    private static String upload(URI uri, String uid) {
        HttpResponse<String> r = post(uri, uid);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Http.json(r.body()).get("submissionId").asText();
    }

    private static HttpResponse<String> post(URI uri, String uid) {
        Multipart form = new Multipart().field("age", "7").field("ethnicity", "Asian").field("sex", "F")
                .field("height", "4'2\"").field("weight", "55").field("email", uid + "@example.org")
                .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video);
        return Http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + keys.token(uid))
                .header("Content-Type", form.contentType()).POST(form.build()).build());
    }

    private static HttpResponse<String> history(ServiceProcess replica, String uid) {
        Multipart form = new Multipart().field("user_id", uid).field("entries", "10");
        return Http.send(HttpRequest.newBuilder(replica.uri("/api/v1/historical_submissions"))
                .header("Authorization", "Bearer " + keys.token(uid)).header("Content-Type", form.contentType()).POST(form.build()).build());
    }

    private static HttpResponse<String> get(URI uri, String uid) {
        return Http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + keys.token(uid)).GET().build());
    }

    /** Waits for Metis to have the job (status Processing in the store); returns its job id. */
    private static int awaitProcessing(String uid, String sid) throws Exception {
        await().atMost(Peers.timeout()).until(() -> {
            JsonNode ref = Http.json(peers.firebase.get("submissions/" + sid));
            return ref.has("job_id") && "Processing".equals(StoredJobs.job(peers, uid, ref.get("job_id").asInt())
                    .path("status").path("code").asText());
        });
        return Http.json(peers.firebase.get("submissions/" + sid)).get("job_id").asInt();
    }

    /** The completion tickets of a uid that a replica's stage 5 has passed, and where every other file of its data folder is. */
    private static List<String> completed(Path data, String uid) throws Exception {
        try (Stream<Path> files = Files.walk(data)) {
            List<String> all = files.filter(Files::isRegularFile).map(p -> data.relativize(p).toString()).toList();
            List<String> done = all.stream().filter(p -> p.startsWith("done/5-complete/" + uid + ".")).toList();
            return done.size() == 2 ? done : all;
        }
    }
}
