package edu.niu.igait.records;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import edu.niu.igait.dev.Ports;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A history request is durable once answered 202: SIGKILL while its mail waits for the mail server,
 * and the restarted service sends it, once. Without sign-in (igait.auth.mode=none), as the form's
 * user_id and the query's uid name the caller.
 */
class HistoryCrashTest extends WithPeers {

    @Test
    void killedAfterThe202WhileTheMailServerIsDownTheRestartSendsTheHistoryOnce() throws Exception {
        Path data = tmp.resolve("data");
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.data-dir", data.toString());
        props.put("camel.server.port", Integer.toString(Ports.freePort()));
        props.put("igait.auth.mode", "none");
        String uid = "crash-historian";
        String email = "crash-historian@example.org";
        SeededJobs.put(peers, uid, 0, SeededJobs.job(SeededJobs.sid(), RecordsTest.T0, "Complete", "0.61", email, 5, "M", "1m", 20));

        peers.mail.stop();
        ServiceProcess first = ServiceProcess.start(props, peers.environment()).awaitHealthy();
        ServiceProcess second = null;
        try {
            // Without sign-in the query's uid names the caller of a GET, and is required.
            assertThat(Http.get(first.uri("/api/v1/submissions")).statusCode()).isEqualTo(400);
            JsonNode listed = Http.json(Http.get(first.uri("/api/v1/submissions?uid=" + uid)).body());
            assertThat(listed.get("submissions").size()).isEqualTo(1);

            HttpResponse<String> accepted = Http.send(HttpRequest.newBuilder(first.uri("/api/v1/historical_submissions"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user_id=" + uid + "&include_skeleton=false")).build());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String name = Http.json(accepted.body()).get("ticket").asText();
            assertThat(edu.niu.igait.job.Ticket.isHistoryName(name)).as(name).isTrue();
            Path ticket = data.resolve("stages").resolve("h1-history").resolve(name);

            // The report is in S3 and the mail waits: the ticket notes its retries.
            await().atMost(Peers.timeout()).until(() -> Files.exists(ticket)
                    && Http.json(Files.readString(ticket)).path("retry").path("attempts").asInt() >= 2);
            assertThat(RecordsTest.reports(uid)).hasSize(1);
            first.kill();
            assertThat(Files.exists(ticket)).isTrue();

            peers.mail.start();
            second = ServiceProcess.start(props, peers.environment()).awaitHealthy();
            Path done = data.resolve("done").resolve("h1-history").resolve(name);
            await().atMost(Peers.timeout()).until(() -> Files.exists(done));
            Thread.sleep(1500);

            List<MimeMessage> mails = peers.mailsTo(email);
            assertThat(mails).hasSize(1);
            assertThat(mails.get(0).getSubject()).isEqualTo(RecordsTest.HISTORY_SUBJECT);
            assertThat(mails.get(0).getContent().toString()).contains("1 submission(s) match").contains("<td>ASD</td>");
            assertThat(Http.json(Files.readString(done)).path("history").path("mailed_at").asText()).isNotEmpty();
            assertThat(RecordsTest.reports(uid)).hasSize(1);
            // No medical data in what the service logged.
            assertThat(first.logText() + second.logText()).contains("history request of uid " + uid)
                    .doesNotContain(email).doesNotContain("0.61");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
