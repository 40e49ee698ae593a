package edu.niu.igait.completion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import edu.niu.igait.pipeline.UploadsForTests;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A result from Metis is never lost in silence: an overdue one is reported once, and a late one still completes the job. */
class OverdueResultTest extends WithPeers {

    @Test
    void aJobWithoutAResultAfterTheTimeoutAlertsOnceShowsItAndALateResultStillCompletesIt() throws Exception {
        Map<String, String> p = CompletionTest.properties();
        p.put("igait.metis.result-timeout", "2s");
        p.put("igait.metis.result-check-period", "500ms");
        try (TestService service = TestService.start(p)) {
            String uid = "overdue";
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
            String sid = UploadsForTests.post(service.uri("/api/v1/upload"), uid, "o@example.org", "x", video, video);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
            String pbsId = peers.metis.submissions().get(0).pbsId();

            await().atMost(Peers.timeout()).until(() -> StoredJobs.job(peers, uid, 0).get("status").get("value").asText()
                    .contains("no result after 2 seconds"));
            assertThat(StoredJobs.job(peers, uid, 0).get("status").get("code").asText()).isEqualTo("Processing");
            await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() == 1);
            Thread.sleep(2000); // more checks run: still one alert
            List<MimeMessage> alerts = peers.mailsTo(Peers.OPERATOR);
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getSubject()).isEqualTo("iGait: 1 job(s) on Metis without a result");
            assertThat(alerts.get(0).getContent().toString()).contains(pbsId).contains(sid).contains("job 0 for uid overdue");

            StoredJobs.keyframed(peers, uid, 0, "mp4", "mp4", 1000);
            assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.result(uid, 0, "OK", "0.6"),
                    CompletionCalls.KEY).statusCode()).isEqualTo(202);
            await().atMost(Peers.timeout()).until(() -> "Complete".equals(StoredJobs.job(peers, uid, 0).get("status").get("code").asText()));
            assertThat(StoredJobs.job(peers, uid, 0).get("status").get("value").asText()).isEqualTo("0.6");
        }
    }
}
