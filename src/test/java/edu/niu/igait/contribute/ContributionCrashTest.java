package edu.niu.igait.contribute;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.dev.Ports;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as its own JVM, killed with SIGKILL while contributions and withdrawals are inside each of
 * their stages (held there by S3 or the mail server being down), then started again on the same data
 * folder, three runs in all: each contribution ends with its objects in S3 once under one folder, or none
 * once withdrawn, and one mail of each kind it is owed. Without sign-in (igait.auth.mode=none): the form's
 * uid, and the query's for a status or a withdrawal, name the contributor.
 */
class ContributionCrashTest extends WithPeers {

    private static final String THANKS = "Thank you for your contribution to iGait!";
    private static final String WITHDRAWN = "Your contribution to iGait has been withdrawn";

    @Test
    void killedInEachStageAndInTheWithdrawalEachContributionIsStoredOnceOrNotAtAllAndMailedOnce() throws Exception {
        Path data = tmp.resolve("data");
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.data-dir", data.toString());
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 60_000);
        Path side = Videos.mp4(tmp.resolve("side.mp4"), 40_000);
        List<ServiceProcess> runs = new ArrayList<>();
        try {
            // Run 1, S3 down: A (kept) and C (withdrawn later) wait in c1-store; B is withdrawn at once, and its
            // withdrawal waits in cw-withdraw to delete what S3 may hold.
            peers.s3.stop();
            ServiceProcess first = start(props, runs);
            String a = contribute(first, "crash-a", "Ann Crash", front, side);
            String b = contribute(first, "crash-b", "Bob Crash", front, side);
            String c = contribute(first, "crash-c", "Cy Crash", front, side);
            assertThat(withdraw(first, b, "crash-b").statusCode()).isEqualTo(202);
            awaitRetried(data.resolve("stages/c1-store").resolve(Ticket.contributionName(a)), 1);
            awaitRetried(data.resolve("stages/c1-store").resolve(Ticket.contributionName(c)), 1);
            awaitRetried(data.resolve("stages/cw-withdraw").resolve(Ticket.withdrawalName(b)), 1);
            first.kill();
            peers.s3.start();

            // Run 2, the mail server down: A and C are stored and wait in c2-thanks; C is withdrawn and its
            // withdrawal deletes its objects, then waits for the mail server, as B's does.
            peers.mail.stop();
            ServiceProcess second = start(props, runs);
            awaitRetried(data.resolve("stages/c2-thanks").resolve(Ticket.contributionName(a)), 1);
            awaitRetried(data.resolve("stages/c2-thanks").resolve(Ticket.contributionName(c)), 1);
            assertThat(objects("research/crash-c;")).hasSize(3);
            assertThat(withdraw(second, c, "crash-c").statusCode()).isEqualTo(202);
            await().atMost(Peers.timeout()).until(() -> objects("research/crash-c;").isEmpty());
            Path cWithdrawal = data.resolve("stages/cw-withdraw").resolve(Ticket.withdrawalName(c));
            await().atMost(Peers.timeout()).until(() -> Files.exists(cWithdrawal)
                    && Http.json(Files.readString(cWithdrawal)).path("retry").path("lastError").asText().contains("mail server"));
            awaitRetried(data.resolve("stages/cw-withdraw").resolve(Ticket.withdrawalName(b)), 2);
            assertThat(objects("research/crash-a;")).hasSize(3);
            assertThat(objects("research/crash-b;")).isEmpty();
            second.kill();
            peers.mail.start();

            // Run 3, everything up: the rest goes through once.
            ServiceProcess third = start(props, runs);
            for (String[] w : new String[][] {{a, "crash-a", "Complete"}, {b, "crash-b", "Withdrawn"}, {c, "crash-c", "Withdrawn"}}) {
                await().atMost(Peers.timeout()).until(() -> w[2].equals(status(third, w[0], w[1]).path("status").path("code").asText()));
            }
            await().atMost(Peers.timeout()).until(() -> peers.mail.messages().size() >= 3);
            Thread.sleep(1500);

            // A: its three objects once, under the folder of the seconds it was received in; one thank-you.
            List<S3Object> kept = objects("research/crash-a;");
            long seconds = Instant.parse(status(third, a, "crash-a").get("receivedAt").asText()).getEpochSecond();
            assertThat(kept).extracting(S3Object::key).containsExactlyInAnyOrder(
                    "research/crash-a;crash-a_at_example.org/" + seconds + "/front.mp4",
                    "research/crash-a;crash-a_at_example.org/" + seconds + "/side.mp4",
                    "research/crash-a;crash-a_at_example.org/" + seconds + "/consent.json");
            assertThat(subjects("crash-a@example.org")).containsExactly(THANKS);
            // B and C: nothing in S3, no thank-you, one confirmation each, and only their status in the job store.
            assertThat(objects("research/crash-b;")).isEmpty();
            assertThat(objects("research/crash-c;")).isEmpty();
            assertThat(subjects("crash-b@example.org")).containsExactly(WITHDRAWN);
            assertThat(subjects("crash-c@example.org")).containsExactly(WITHDRAWN);
            assertThat(peers.mail.messages()).hasSize(3);
            assertThat(Http.json(peers.firebase.get("contributions/crash-a/" + a)).get("status").get("code").asText()).isEqualTo("Complete");
            for (String[] w : new String[][] {{b, "crash-b"}, {c, "crash-c"}}) {
                JsonNode record = Http.json(peers.firebase.get("contributions/" + w[1] + "/" + w[0]));
                assertThat(record.get("status").get("code").asText()).isEqualTo("Withdrawn");
                assertThat(record.has("email")).isFalse();
                assertThat(data.resolve("contributions").resolve(w[0])).doesNotExist();
            }
            // Asked again: nothing changes.
            HttpResponse<String> again = withdraw(third, b, "crash-b");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(Http.json(again.body()).get("status").get("code").asText()).isEqualTo("Withdrawn");

            // No name or address in what the service logged, nor the keys, which hold the address.
            String logs = String.join("\n", runs.stream().map(ServiceProcess::logText).toList());
            assertThat(logs).contains("contribution " + a + " of uid crash-a").doesNotContain("example.org").doesNotContain("_at_")
                    .doesNotContain("Ann Crash").doesNotContain("Bob Crash").doesNotContain("Cy Crash");
        } finally {
            for (ServiceProcess run : runs) {
                run.kill();
            }
        }
    }

    private static ServiceProcess start(Map<String, String> props, List<ServiceProcess> runs) {
        Map<String, String> p = new LinkedHashMap<>(props);
        p.put("camel.server.port", Integer.toString(Ports.freePort()));
        ServiceProcess service = ServiceProcess.start(p, peers.environment());
        runs.add(service);
        return service.awaitHealthy();
    }

    private static String contribute(ServiceProcess service, String uid, String name, Path front, Path side) {
        Multipart form = new Multipart().field("uid", uid).field("name", name).field("email", uid + "@example.org")
                .field("consent_study", "true").file("fileuploadfront", "front.mp4", front).file("fileuploadside", "side.mp4", side);
        HttpResponse<String> r = Http.post(service.uri("/api/v1/contribute"), form);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Http.json(r.body()).get("contributionId").asText();
    }

    private static HttpResponse<String> withdraw(ServiceProcess service, String id, String uid) {
        return Http.send(HttpRequest.newBuilder(service.uri("/api/v1/contributions/" + id + "?uid=" + uid))
                .timeout(Duration.ofSeconds(30)).DELETE().build());
    }

    private static JsonNode status(ServiceProcess service, String id, String uid) {
        HttpResponse<String> r = Http.get(service.uri("/api/v1/contributions/" + id + "?uid=" + uid));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r.body());
    }

    /** Waits until the ticket lies there and has noted at least {@code attempts} retries. */
    private static void awaitRetried(Path ticket, int attempts) {
        await().atMost(Peers.timeout()).until(() -> Files.exists(ticket)
                && Http.json(Files.readString(ticket)).path("retry").path("attempts").asInt() >= attempts);
    }

    private static List<String> subjects(String address) {
        return peers.mailsTo(address).stream().map(m -> {
            try {
                return m.getSubject();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static List<S3Object> objects(String prefix) {
        try (S3Client s3 = peers.s3.client()) {
            return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build()).contents();
        }
    }
}
