package edu.niu.igait.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An upload travels through Firebase, S3, Metis and mail, all real servers on 127.0.0.1. */
class PipelineTest extends WithPeers {

    TestService service;

    @BeforeEach
    void startService() throws Exception {
        service = TestService.start(peers.properties());
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void uploadReachesDoneWithOneRecordOneQsubOneMailAndTheVideosInS3() throws Exception {
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 3_000_000);
        Path side = Videos.video(tmp.resolve("side.MOV"), "mov", 1_500_000);
        String uid = "parent_A-1";
        String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "parent@example.org",
                "<b>Asian & \"Other\"</b>", front, side);

        Path done = service.dataDir().resolve("done").resolve(sid);
        await().atMost(Peers.timeout()).until(() -> Files.exists(done));

        // Firebase: the job at index 0 in the shape the app reads.
        JsonNode user = peers.user(uid);
        assertThat(user.get("uid").asText()).isEqualTo(uid);
        JsonNode job = user.get("jobs").get(0);
        assertThat(job.get("age").asInt()).isEqualTo(7);
        assertThat(job.get("age").isIntegralNumber()).isTrue();
        assertThat(job.get("ethnicity").asText()).isEqualTo("<b>Asian & \"Other\"</b>");
        assertThat(job.get("sex").asText()).isEqualTo("F");
        assertThat(job.get("height").asText()).isEqualTo("4'2\"");
        assertThat(job.get("weight").asInt()).isEqualTo(55);
        assertThat(job.get("email").asText()).isEqualTo("parent@example.org");
        assertThat(job.get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(peers.metis.submissions()).hasSize(1);
        String pbsId = peers.metis.submissions().get(0).pbsId();
        assertThat(job.get("status").get("value").asText()).contains(pbsId);
        assertThat(job.get("timestamp").get("secs_since_epoch").isIntegralNumber()).isTrue();
        assertThat(job.get("timestamp").get("nanos_since_epoch").isIntegralNumber()).isTrue();
        assertThat(job.get("submission_id").asText()).isEqualTo(sid);
        assertThat(job.get("pbs_id").asText()).isEqualTo(pbsId);

        // S3: byte-identical videos and extensions.json under <uid>/0/.
        var s3 = peers.s3.client();
        assertThat(Videos.sha256(download(s3, uid + "/0/front.mp4"))).isEqualTo(Videos.sha256(front));
        assertThat(Videos.sha256(download(s3, uid + "/0/side.mov"))).isEqualTo(Videos.sha256(side));
        String extensions = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(Peers.BUCKET)
                .key(uid + "/0/extensions.json").build()).asUtf8String();
        assertThat(Http.json(extensions)).isEqualTo(Http.json("{\"front\":\"mp4\",\"side\":\"mov\"}"));

        // Metis: exactly one qsub with the uid and the job id.
        assertThat(peers.metis.commands()).hasSize(1);
        assertThat(peers.metis.commands().get(0)).startsWith("qsub -N igait-" + uid + "-0 -v USER_ID=" + uid + ",JOB_ID=0 ");

        // Mail: one welcome mail to the parent, values escaped.
        List<MimeMessage> welcome = peers.mailsTo("parent@example.org");
        assertThat(welcome).hasSize(1);
        assertThat(welcome.get(0).getSubject()).isEqualTo("Welcome to iGait!");
        String html = welcome.get(0).getContent().toString();
        assertThat(html).contains("&lt;b&gt;Asian &amp; &quot;Other&quot;&lt;/b&gt;").doesNotContain("<b>Asian");
        assertThat(html).contains("4&#39;2&quot;").contains("Please give us 1-2 days to complete analysis.")
                .contains(uid).contains(" UTC");

        // Local videos gone, job.json kept; the status endpoint says done.
        assertThat(Files.exists(service.dataDir().resolve("jobs").resolve(sid).resolve("front.mp4"))).isFalse();
        assertThat(Files.exists(service.dataDir().resolve("jobs").resolve(sid).resolve("side.mov"))).isFalse();
        assertThat(Files.exists(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"))).isTrue();
        JsonNode status = Http.json(Http.get(service.uri("/api/v1/submissions/" + sid)).body());
        assertThat(status.get("stage").asText()).isEqualTo("done");
        assertThat(status.get("jobId").asInt()).isEqualTo(0);
        assertThat(status.get("status").get("code").asText()).isEqualTo("Processing");

        // A second upload for the same uid gets index 1.
        String sid2 = Uploads.post(service.uri("/api/v1/upload"), uid, "parent@example.org", "Asian", front, side);
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid2)));
        assertThat(peers.user(uid).get("jobs").get(1).get("submission_id").asText()).isEqualTo(sid2);
        assertThat(peers.metis.commands()).hasSize(2);
        assertThat(peers.metis.commands().get(1)).startsWith("qsub -N igait-" + uid + "-1 -v USER_ID=" + uid + ",JOB_ID=1 ");
    }

    @Test
    void tenConcurrentUploadsForOneUidGetIndicesZeroToNine() throws Exception {
        Path front = Videos.mp4(tmp.resolve("f.mp4"), 50_000);
        Path side = Videos.mp4(tmp.resolve("s.mp4"), 50_000);
        String uid = "many";
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<String>> sids = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sids.add(pool.submit(() -> Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", front, side)));
            }
            List<String> all = new java.util.ArrayList<>();
            for (Future<String> f : sids) {
                all.add(f.get());
            }
            await().atMost(Peers.timeout()).until(() -> all.stream()
                    .allMatch(s -> Files.exists(service.dataDir().resolve("done").resolve(s))));
            JsonNode jobs = peers.user(uid).get("jobs");
            assertThat(jobs.size()).isEqualTo(10);
            java.util.Set<String> recorded = new java.util.HashSet<>();
            for (int i = 0; i < 10; i++) {
                recorded.add(jobs.get(i).get("submission_id").asText());
            }
            assertThat(recorded).containsExactlyInAnyOrderElementsOf(all);
            List<String> jobIds = peers.metis.submissions().stream().map(MetisSimulator.QsubCall::jobId).sorted().toList();
            assertThat(jobIds).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusedSshLoginFailsTheJobAtOnceWithSubmissionErrAndOneAlert() throws Exception {
        peers.metis.refuseAuthentication(true);
        Path front = Videos.mp4(tmp.resolve("f.mp4"), 10_000);
        String sid = Uploads.post(service.uri("/api/v1/upload"), "refused", "p@example.org", "x", front, front);
        Path failed = service.dataDir().resolve("failed").resolve("3-submit").resolve(sid);
        await().atMost(Peers.timeout()).until(() -> Files.exists(failed));
        JsonNode job = peers.user("refused").get("jobs").get(0);
        assertThat(job.get("status").get("code").asText()).isEqualTo("SubmissionErr");
        assertThat(job.get("status").get("value").asText()).contains("Metis refused the SSH login");
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() == 1);
        Thread.sleep(1000);
        assertThat(peers.mailsTo(Peers.OPERATOR)).hasSize(1);
        assertThat(peers.mailsTo("p@example.org")).isEmpty();
        assertThat(peers.metis.commands()).isEmpty();
    }

    private Path download(software.amazon.awssdk.services.s3.S3Client s3, String key) {
        Path target = tmp.resolve("dl-" + key.replace('/', '_'));
        s3.getObject(GetObjectRequest.builder().bucket(Peers.BUCKET).key(key).build(), ResponseTransformer.toFile(target));
        return target;
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    static long objectCount(String prefix) {
        return peers.s3.client().listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build()).keyCount();
    }
}
