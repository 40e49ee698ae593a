package edu.niu.igait.routes;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import edu.niu.igait.contribute.ContributionRequest;
import edu.niu.igait.contribute.Contributions;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.intake.Upload;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/contribute/: a research contribution's stages from the stage template. c1-store records it in
 * the job store and puts the videos and consent.json under its fixed keys, checks them, status Stored,
 * the local videos deleted; c2-thanks mails the thank-you once, status Complete; cw-withdraw waits while
 * the contribution is on its way, then deletes its objects, mails the confirmation once and leaves only
 * its status. The aws2-s3 endpoint is a mock that does to the stand-in S3 what it is asked (a PUT, or
 * the operation deleteObject).
 */
class ContributionRoutesTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/contribute/c1-store.yaml",
                "routes/contribute/c2-thanks.yaml", "routes/contribute/cw-withdraw.yaml");
    }

    /** The mock S3 endpoint does what it is asked: keeps what is put, forgets what is deleted. */
    private MockEndpoint s3Endpoint() {
        MockEndpoint endpoint = getMockEndpoint(S3);
        endpoint.whenAnyExchangeReceived(e -> {
            String key = e.getMessage().getHeader("CamelAwsS3Key", String.class);
            if ("deleteObject".equals(e.getMessage().getHeader("CamelAwsS3Operation"))) {
                s3.objects.remove(key);
            } else {
                s3.objects.put(key, bytes(e));
            }
        });
        return endpoint;
    }

    private static byte[] bytes(Exchange e) throws Exception {
        Object body = e.getMessage().getBody();
        if (body instanceof File f) {
            return Files.readAllBytes(f.toPath());
        }
        return e.getMessage().getBody(byte[].class);
    }

    @Test
    void aContributionGoesToS3UnderItsFixedKeysWithItsConsentRecordIsThankedOnceAndItsRecordFollows() throws Exception {
        MockEndpoint endpoint = s3Endpoint();
        MockEndpoint mail = getMockEndpoint(MAIL);
        Contribution c = contribute("giver", "giver@example.org", "Ada O'Brien <b>", Map.of("consent_study", true, "consent_talks", true));
        Path dir = data.resolve("contributions").resolve(c.contributionId);
        byte[] front = Files.readAllBytes(dir.resolve("front.mp4"));
        byte[] side = Files.readAllBytes(dir.resolve("side.mov"));
        String folder = "research/giver;giver_at_example.org/" + c.seconds + "/";
        release(c, "c1-store");

        awaitTicket("done/contributions", Ticket.contributionName(c.contributionId));
        assertThat(endpoint.getExchanges()).extracting(e -> e.getMessage().getHeader("CamelAwsS3Key"))
                .containsExactly(folder + "front.mp4", folder + "side.mov", folder + "consent.json");
        assertThat(s3.objects.get(folder + "front.mp4")).isEqualTo(front);
        assertThat(s3.objects.get(folder + "side.mov")).isEqualTo(side);
        assertThat(endpoint.getExchanges().get(2).getMessage().getHeader("CamelAwsS3ContentType")).isEqualTo("application/json");
        JsonNode consent = Http.json(new String(s3.objects.get(folder + "consent.json")));
        assertThat(consent.get("contributionId").asText()).isEqualTo(c.contributionId);
        assertThat(consent.get("uid").asText()).isEqualTo("giver");
        assertThat(consent.get("name").asText()).isEqualTo("Ada O'Brien <b>");
        assertThat(consent.get("consents").toString()).isEqualTo("{\"consent_study\":true,\"consent_publications\":false,"
                + "\"consent_classrooms\":false,\"consent_conferences\":false,\"consent_talks\":true}");
        assertThat(consent.get("requestedAt").asText()).isEqualTo(c.receivedAt.toString());
        assertThat(consent.get("client").asText()).isEqualTo("203.0.113.7");
        assertThat(consent.get("serviceVersion").asText()).isNotBlank().isNotEqualTo("unknown");
        assertThat(consent.has("email")).isFalse();
        // Checked after the uploads, before the status says so.
        assertThat(s3.calls).contains("HEAD " + folder + "front.mp4", "HEAD " + folder + "side.mov", "HEAD " + folder + "consent.json");

        Map<String, Object> record = jobStore().contribution("giver", c.contributionId).orElseThrow();
        assertThat(map(record.get("status"))).containsEntry("code", "Complete");
        assertThat(record.get("objects")).isEqualTo(List.of(folder + "front.mp4", folder + "side.mov", folder + "consent.json"));
        assertThat(record).containsEntry("email", "giver@example.org").containsKey("stored_at");
        assertThat(jobStore().user("giver")).isEmpty();
        assertThat(dir.resolve("front.mp4")).doesNotExist();
        assertThat(dir.resolve("side.mov")).doesNotExist();
        Contribution kept = jobs().getContribution(c.contributionId);
        assertThat(kept.status.code).isEqualTo(Contribution.Code.Complete);
        assertThat(kept.storedAt).isNotNull();

        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("To")).isEqualTo("giver@example.org");
        assertThat(sent.getHeader("Subject")).isEqualTo("Thank you for your contribution to iGait!");
        assertThat(sent.getBody(String.class)).doesNotContain("{{").contains("Dear Ada O&#39;Brien &lt;b&gt;,")
                .contains("mailto:GaitStudy@niu.edu").contains("taking part in the iGait research study")
                .contains("shown in talks").doesNotContain("publications").doesNotContain("classrooms");

        // As after a crash before each hand-off: the stages run again, and neither puts nor mails anything again.
        Files.move(data.resolve("done/contributions").resolve(Ticket.contributionName(c.contributionId)),
                data.resolve("stages/c1-store").resolve(Ticket.contributionName(c.contributionId)));
        awaitTicket("done/contributions", Ticket.contributionName(c.contributionId));
        assertThat(endpoint.getExchanges()).hasSize(3);
        assertThat(mail.getExchanges()).hasSize(1);
        assertThat(status(c).get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(status(c).get("stage").asText()).isEqualTo("done/contributions");
    }

    @Test
    void aWithdrawalWaitsWhileItsContributionIsOnItsWayThenNothingIsStoredOrThankedAndOnlyItsStatusRemains() throws Exception {
        MockEndpoint endpoint = s3Endpoint();
        MockEndpoint mail = getMockEndpoint(MAIL);
        Contribution c = contribute("early", "early@example.org", "Early", Map.of());
        JsonNode asked = withdraw(c);
        assertThat(asked.get("status").get("code").asText()).isEqualTo("Withdrawing");
        assertThat(contributions().withdrawalCode(Http.mapper().convertValue(asked, Map.class))).isEqualTo(202);
        Path ticket = data.resolve("stages/cw-withdraw").resolve(Ticket.withdrawalName(c.contributionId));

        // The contribution is still on its way (its ticket waits in a stage folder): the withdrawal waits for it.
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Files.exists(ticket)
                && Http.json(Files.readString(ticket)).path("retry").path("attempts").asInt() >= 2);
        assertThat(Http.json(Files.readString(ticket)).path("retry").path("lastError").asText()).contains("still in stage hold");
        assertThat(endpoint.getExchanges()).isEmpty();
        // Asked again meanwhile: the same withdrawal.
        assertThat(withdraw(c).get("stage").asText()).isEqualTo("cw-withdraw");

        release(c, "c1-store");
        awaitTicket("done/withdrawals", Ticket.withdrawalName(c.contributionId));
        assertThat(tickets("done/contributions")).contains(Ticket.contributionName(c.contributionId));
        // Nothing was put; the three keys were deleted all the same (whatever a crash may have left there).
        String folder = "research/early;early_at_example.org/" + c.seconds + "/";
        assertThat(endpoint.getExchanges()).extracting(e -> e.getMessage().getHeader("CamelAwsS3Operation") + " "
                + e.getMessage().getHeader("CamelAwsS3Key"))
                .containsExactly("deleteObject " + folder + "front.mp4", "deleteObject " + folder + "side.mov",
                        "deleteObject " + folder + "consent.json");
        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("To")).isEqualTo("early@example.org");
        assertThat(sent.getHeader("Subject")).isEqualTo("Your contribution to iGait has been withdrawn");
        assertThat(data.resolve("contributions").resolve(c.contributionId)).doesNotExist();
        Map<String, Object> record = jobStore().contribution("early", c.contributionId).orElseThrow();
        assertThat(map(record.get("status"))).containsEntry("code", "Withdrawn");
        assertThat(record).containsKeys("timestamp", "withdrawn_at").doesNotContainKeys("email", "name", "objects", "consents");

        JsonNode status = status(c);
        assertThat(status.get("status").get("code").asText()).isEqualTo("Withdrawn");
        assertThat(status.get("stage").asText()).isEqualTo("done");
        assertThat(status.has("withdrawnAt")).isTrue();
        JsonNode again = withdraw(c);
        assertThat(again.get("status").get("code").asText()).isEqualTo("Withdrawn");
        assertThat(contributions().withdrawalCode(Http.mapper().convertValue(again, Map.class))).isEqualTo(200);
        assertThat(tickets("stages/cw-withdraw")).isEmpty();
        assertThat(mail.getExchanges()).hasSize(1);
    }

    @Test
    void aStoredContributionWhoseLocalRecordIsGoneIsWithdrawnFromTheJobStoresRecord() throws Exception {
        MockEndpoint endpoint = s3Endpoint();
        MockEndpoint mail = getMockEndpoint(MAIL);
        Contribution c = contribute("later", "later@example.org", "Later", Map.of("consent_study", true));
        release(c, "c1-store");
        awaitTicket("done/contributions", Ticket.contributionName(c.contributionId));
        String folder = "research/later;later_at_example.org/" + c.seconds + "/";
        assertThat(s3.objects).containsKeys(folder + "front.mp4", folder + "side.mov", folder + "consent.json");
        // Retention (or another machine of the service): the local record is gone; the job store still knows.
        edu.niu.igait.job.DurableFiles.deleteTree(data.resolve("contributions").resolve(c.contributionId));
        assertThat(status(c).get("status").get("code").asText()).isEqualTo("Complete");

        withdraw(c);
        awaitTicket("done/withdrawals", Ticket.withdrawalName(c.contributionId));
        assertThat(s3.objects.keySet()).noneMatch(k -> k.startsWith(folder));
        assertThat(endpoint.getExchanges()).hasSize(6);
        assertThat(mail.getExchanges()).extracting(e -> e.getMessage().getHeader("To")).containsExactly("later@example.org",
                "later@example.org");
        assertThat(mail.getExchanges().get(1).getMessage().getBody(String.class)).contains("Dear Later,");
        assertThat(status(c).get("status").get("code").asText()).isEqualTo("Withdrawn");
    }

    @Test
    void aContributionS3RefusesFailsAtOnceWithItsReasonAndAnAlertAndItsWithdrawalStillDeletesAndForgetsIt() throws Exception {
        MockEndpoint endpoint = getMockEndpoint(S3);
        endpoint.whenAnyExchangeReceived(e -> {
            if (!"deleteObject".equals(e.getMessage().getHeader("CamelAwsS3Operation"))) {
                throw new PeerRefused("S3", "S3 refused: Access Denied", null);
            }
        });
        MockEndpoint mail = getMockEndpoint(MAIL);
        Contribution c = contribute("refused", "refused@example.org", "Refused", Map.of());
        release(c, "c1-store");

        awaitTicket("failed/c1-store", Ticket.contributionName(c.contributionId));
        Contribution kept = jobs().getContribution(c.contributionId);
        assertThat(kept.status.code).isEqualTo(Contribution.Code.Failed);
        assertThat(kept.status.value).contains("S3 refused: Access Denied");
        assertThat(map(jobStore().contribution("refused", c.contributionId).orElseThrow().get("status"))).containsEntry("code", "Failed");
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> mail.getExchanges().size() == 1);
        Message alert = mail.getExchanges().get(0).getMessage();
        assertThat(alert.getHeader("To")).isEqualTo(OPERATOR);
        assertThat(alert.getHeader("Subject", String.class)).contains("research contribution");
        assertThat(alert.getBody(String.class)).contains("contribution " + c.contributionId + " of uid refused")
                .contains("/failed/c1-store/").doesNotContain("refused@example.org").doesNotContain("_at_");
        assertThat(status(c).get("stage").asText()).isEqualTo("failed/c1-store");

        withdraw(c);
        awaitTicket("done/withdrawals", Ticket.withdrawalName(c.contributionId));
        assertThat(tickets("failed/c1-store")).doesNotContain(Ticket.contributionName(c.contributionId));
        assertThat(data.resolve("contributions").resolve(c.contributionId)).doesNotExist();
        assertThat(status(c).get("status").get("code").asText()).isEqualTo("Withdrawn");
    }

    @Test
    void theReadmesExampleOfAPipelinesStageIsTheStageAsItRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("```yaml", readme.indexOf("### Adding a pipeline"));
        String block = readme.substring(at + "```yaml\n".length(), readme.indexOf("```", at + 7));
        String file = Files.readString(Path.of("routes/contribute/c2-thanks.yaml"));
        assertThat(file.substring(file.indexOf("- templatedRoute:"))).isEqualTo(block);
    }

    private Contributions contributions() {
        return context.getRegistry().lookupByNameAndType("contributions", Contributions.class);
    }

    /** A contribution as the intake keeps it (its record, two small videos), its ticket held in a folder no stage reads. */
    private Contribution contribute(String uid, String email, String name, Map<String, Boolean> given) throws Exception {
        Path front = Videos.mp4(Files.createTempFile(data, "front", ".mp4"), 2000);
        Path side = Videos.video(Files.createTempFile(data, "side", ".mov"), "mov", 3000);
        Map<String, Boolean> consents = new LinkedHashMap<>();
        for (String field : edu.niu.igait.contribute.ContributionForm.CONSENTS) {
            consents.put(field, given.getOrDefault(field, false));
        }
        return contributions().persist(new ContributionRequest(uid, name, email, consents, "203.0.113.7",
                new Upload.Part("fileuploadfront", front, "mp4", Files.size(front)),
                new Upload.Part("fileuploadside", side, "mov", Files.size(side))), "hold");
    }

    private void release(Contribution c, String stage) throws Exception {
        Files.move(data.resolve("stages/hold").resolve(Ticket.contributionName(c.contributionId)),
                data.resolve("stages").resolve(stage).resolve(Ticket.contributionName(c.contributionId)));
    }

    private JsonNode withdraw(Contribution c) {
        return Http.mapper().valueToTree(contributions().withdraw(c.contributionId, null, Map.of("uid", List.of(c.uid)), "cw-withdraw"));
    }

    private JsonNode status(Contribution c) {
        return Http.mapper().valueToTree(contributions().status(c.contributionId, null, Map.of("uid", List.of(c.uid))));
    }
}
