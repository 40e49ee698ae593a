package edu.niu.igait.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Alerts stay readable in a storm: twenty jobs failing together make one alert, with the count and the ids. */
class AlertStormTest extends WithPeers {

    @Test
    void twentyJobsFailingTogetherMakeOneAlertListingThemAll() throws Exception {
        Map<String, String> p = new java.util.LinkedHashMap<>(peers.properties());
        p.put("igait.s3.bucket", "igait-no-such-bucket");
        p.put("igait.alerts.delay", "5s");
        try (TestService service = TestService.start(p)) {
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 10_000);
            List<String> sids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                // Twenty parents (the test database cannot run transactions on a user with more than ten jobs).
                sids.add(Uploads.post(service.uri("/api/v1/upload"), "storm-" + i, "p@example.org", "x", video, video));
            }
            await().atMost(Peers.timeout()).until(() -> sids.stream()
                    .allMatch(s -> Files.exists(service.dataDir().resolve("failed/2-store").resolve(s))));
            await().atMost(Peers.timeout()).until(() -> !peers.mailsTo(Peers.OPERATOR).isEmpty());
            Thread.sleep(3000);
            List<MimeMessage> alerts = peers.mailsTo(Peers.OPERATOR);
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getSubject()).isEqualTo("iGait: 20 submission(s) failed");
            String text = alerts.get(0).getContent().toString();
            assertThat(text).contains("Events: 20");
            for (String sid : sids) {
                assertThat(text).contains(sid);
            }
            assertThat(text).contains("NoSuchBucket").doesNotContain("p@example.org");
        }
    }
}
