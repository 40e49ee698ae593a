package edu.niu.igait.ops;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.dev.MailServer;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.OfflinePeers;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stage removed from routes/stages/ while jobs waited in its folder: the service starts (it is not a
 * mistake in a route), says so on one line naming the folder, its count and where to move the tickets,
 * keeps readiness DOWN with the same words on /observe/health, and tells the operator once; moved on,
 * readiness is UP again.
 */
class StrandedTicketsTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderNoRouteReadsIsReportedAtStartUpInReadinessAndToTheOperatorUntilItsTicketsAreMovedOn() throws Exception {
        try (MailServer mail = new MailServer(0).start()) {
            Path data = tmp.resolve("data");
            Path removed = Files.createDirectories(data.resolve("stages/3b-webhook"));
            for (int i = 0; i < 2; i++) {
                String sid = SubmissionId.next();
                Files.writeString(removed.resolve(sid), "{\"submissionId\":\"" + sid + "\"}");
            }
            Map<String, String> p = new LinkedHashMap<>(OfflinePeers.properties(tmp.resolve("peers")));
            p.put("igait.data-dir", data.toString());
            p.put("igait.mail.port", Integer.toString(mail.port()));
            p.put("igait.mail.operator", Peers.OPERATOR);
            p.put("igait.alerts.delay", "1s");
            try (ServiceProcess service = ServiceProcess.start(p).awaitHealthy()) {
                String advice = removed + "/ holds 2 tickets that no route reads (was its stage removed from routes/stages/?):"
                        + " its jobs go no further; move them to the next stage's folder (mv " + removed + "/* "
                        + data.resolve("stages/4-notify") + "/), or put its stage back";
                await().atMost(Duration.ofSeconds(10)).until(() -> service.logText().contains(advice));
                assertThat(service.logText().lines().filter(l -> l.contains("holds 2 tickets"))).hasSize(1)
                        .allSatisfy(l -> assertThat(l).endsWith(advice + "; readiness is DOWN until it is empty"));

                HttpResponse<String> ready = Http.get(service.managementUri("/observe/health/ready"));
                assertThat(ready.statusCode()).isEqualTo(503);
                HttpResponse<String> all = Http.get(service.managementUri("/observe/health"));
                assertThat(Management.check(Http.json(ready.body()), "stage-folders").get("status").asText()).isEqualTo("DOWN");
                // (Camel's management server escapes a message before its JSON writer escapes it again: a / comes out \/.)
                assertThat(Management.check(Http.json(all.body()), "stage-folders").get("message").asText().replace("\\/", "/"))
                        .isEqualTo(advice);

                // One alert to the operator, with the same words.
                await().atMost(Duration.ofSeconds(20)).until(() -> !mail.messages().isEmpty());
                Thread.sleep(1500);
                List<jakarta.mail.internet.MimeMessage> alerts = mail.messages();
                assertThat(alerts).hasSize(1);
                assertThat(alerts.get(0).getSubject()).isEqualTo("iGait: 1 stage folder(s) that no route reads hold jobs");
                assertThat(alerts.get(0).getContent().toString()).contains("3b-webhook/ holds 2 tickets that no route reads");

                // Moved on as the line says: ready again (the stage that takes them is the service's business).
                try (var tickets = Files.list(removed)) {
                    for (Path ticket : tickets.toList()) {
                        Files.move(ticket, data.resolve("stages/4-notify").resolve(ticket.getFileName()));
                    }
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(service.managementUri("/observe/health/ready")).statusCode() == 200);
            }
        }
    }
}
