package edu.niu.igait.completion;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import edu.niu.igait.pipeline.UploadsForTests;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.dev.Ports;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

import static edu.niu.igait.completion.CompletionCalls.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stage 5 held by a mail server that is down, the service killed with SIGKILL, restarted: one status update, one mail. */
class CompletionCrashTest extends WithPeers {

    @Test
    void killedWhileStageFiveWaitsForTheMailServerItResumesWithOneStatusUpdateAndOneMail() throws Exception {
        Path data = tmp.resolve("data");
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.data-dir", data.toString());
        props.put("camel.server.port", Integer.toString(Ports.freePort()));
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        env.put("IGAIT_ACCESS_KEY", KEY);
        String uid = "crash-parent";
        String email = "crash@example.org";

        ServiceProcess first = ServiceProcess.start(props, env).awaitHealthy();
        ServiceProcess second = null;
        try (StatusWatch watch = new StatusWatch(uid, 0)) {
            Path video = Videos.mp4(tmp.resolve("front.mp4"), 50_000);
            String sid = UploadsForTests.post(first.uri("/api/v1/upload"), uid, email, "Asian", video, video);
            await().atMost(Peers.timeout()).until(() -> Files.exists(data.resolve("done").resolve(sid)));
            StoredJobs.keyframed(peers, uid, 0, "mp4", "mp4", 2000);
            assertThat(peers.mailsTo(email)).hasSize(1); // welcome

            peers.mail.stop();
            HttpResponse<String> accepted = CompletionCalls.multipart(first.uri(""), CompletionCalls.withKey(uid, 0, "OK", "0.73"), null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String name = Http.json(accepted.body()).get("ticket").asText();
            Path ticket = data.resolve("stages").resolve("5-complete").resolve(name);

            // Applied, and held on the mail: the ticket notes its retries.
            await().atMost(Peers.timeout()).until(() -> "Complete".equals(StoredJobs.job(peers, uid, 0).get("status").get("code").asText()));
            await().atMost(Peers.timeout()).until(() -> Files.exists(ticket)
                    && Http.json(Files.readString(ticket)).path("retry").path("attempts").asInt() >= 2);
            first.kill();
            assertThat(Files.exists(ticket)).isTrue();
            assertThat(StoredJobs.job(peers, uid, 0).get("completion").has("mailed_at")).isFalse();

            peers.mail.start();
            second = ServiceProcess.start(props, env).awaitHealthy();
            Path done = data.resolve("done").resolve("5-complete").resolve(name);
            await().atMost(Peers.timeout()).until(() -> Files.exists(done));
            Thread.sleep(1500);

            List<MimeMessage> results = CompletionTest.resultMails(peers, email, CompletionTest.RESULT_SUBJECT);
            assertThat(results).hasSize(1);
            assertThat(results.get(0).getContent().toString()).contains("0.73");
            JsonNode job = StoredJobs.job(peers, uid, 0);
            assertThat(job.get("status").get("code").asText()).isEqualTo("Complete");
            assertThat(job.get("status").get("value").asText()).isEqualTo("0.73");
            assertThat(job.get("completion").get("mailed_at").asText()).isNotEmpty();
            assertThat(watch.count("Complete")).as("status updates seen by a listener: %s", watch.seen()).isEqualTo(1);
            assertThat(watch.seen().get(watch.seen().size() - 1)).isEqualTo("Complete: 0.73");
            JsonNode jobJson = Http.json(Files.readString(data.resolve("jobs").resolve(sid).resolve("job.json")));
            assertThat(jobJson.get("history").findValuesAsText("code").stream().filter("Complete"::equals).count()).isEqualTo(1);
            assertThat(jobJson.get("completion").get("mailSentAt").asText()).isNotEmpty();
            try (var left = Files.list(data.resolve("stages").resolve("5-complete"))) {
                assertThat(left.toList()).isEmpty();
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            peers.mail.start();
        }
    }
}
