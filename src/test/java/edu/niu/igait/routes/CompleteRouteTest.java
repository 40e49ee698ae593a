package edu.niu.igait.routes;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import edu.niu.igait.support.MailLinks;
import edu.niu.igait.completion.CompletionRequest;
import edu.niu.igait.completion.CompletionTickets;
import edu.niu.igait.job.Job;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/stages/5-complete.yaml: Metis's result applied to the job where the app reads it, and mailed
 * with the template the stage chooses (result.html for OK, failure.html for ERR), once.
 */
class CompleteRouteTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/5-complete.yaml");
    }

    /** A completion as routes/completion.yaml keeps it: a ticket of 5-complete. */
    private String complete(String uid, int jobId, String code, String content) {
        CompletionTickets tickets = context.getRegistry().lookupByNameAndType("completionTickets", CompletionTickets.class);
        return (String) tickets.persist(new CompletionRequest(uid, jobId, code, content), "5-complete", new DefaultExchange(context))
                .get("ticket");
    }

    /** A recorded job whose parent's address is the uid's own, so a test sees only its own mails. */
    private Job stored(String uid) {
        Job job = recorded(uid, parent(uid));
        s3.objects.put(uid + "/0/extensions.json", "{\"front\":\"mp4\",\"side\":\"mov\"}".getBytes(StandardCharsets.UTF_8));
        return job;
    }

    @Test
    void okSetsCompleteWithTheScoreAndSendsTheResultMailWithLinksToTheKeyframedVideos() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        stored("ok");
        String ticket = complete("ok", 0, "OK", "0.87");

        awaitTicket("done/5-complete", ticket);
        Map<String, Object> job = stored("ok", 0);
        assertThat(map(job.get("status"))).containsEntry("code", "Complete").containsEntry("value", "0.87");
        assertThat(map(job.get("completion")).get("mailed_at")).isNotNull();
        assertThat(mailsTo(mail, "ok")).hasSize(1);
        Message sent = mailsTo(mail, "ok").get(0);
        assertThat(sent.getHeader("Subject")).isEqualTo("Your recent submission to iGait App has completed!");
        String html = sent.getBody(String.class);
        assertThat(html).contains("<b>0.87</b>").contains("7 days").contains("GaitStudy@niu.edu");
        List<String> links = MailLinks.in(html);
        assertThat(links).hasSize(2);
        assertThat(links.get(0)).startsWith("https://").contains("/ok/0/front_keyframed.mp4?").contains("X-Amz-Expires=604800");
        assertThat(links.get(1)).contains("/ok/0/side_keyframed.mov?");
    }

    @Test
    void errSetsInferenceErrAndSendsTheFailureMailWithTheReasonEscaped() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        stored("err");
        String ticket = complete("err", 0, "ERR", "no person <found> & \"none\"");

        awaitTicket("done/5-complete", ticket);
        assertThat(map(stored("err", 0).get("status"))).containsEntry("code", "InferenceErr")
                .containsEntry("value", "no person <found> & \"none\"");
        assertThat(mailsTo(mail, "err")).hasSize(1);
        Message sent = mailsTo(mail, "err").get(0);
        assertThat(sent.getHeader("Subject")).isEqualTo("Your recent submission to iGait App failed!");
        assertThat(sent.getBody(String.class)).contains("no person &lt;found&gt; &amp; &quot;none&quot;")
                .contains("<td>InferenceErr</td>").doesNotContain("front_keyframed");
    }

    @Test
    void theSameResultAgainChangesNothingAndSendsNothing() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        stored("twice");
        awaitTicket("done/5-complete", complete("twice", 0, "OK", "0.5"));
        String again = complete("twice", 0, "OK", "0.5");

        awaitTicket("done/5-complete", again);
        assertThat(mailsTo(mail, "twice")).hasSize(1);
    }

    @Test
    void aResultForAJobTheStoreDoesNotHaveFailsAtOnceWithoutAMailToAnyParent() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        String ticket = complete("nobody", 3, "OK", "0.5");

        awaitTicket("failed/5-complete", ticket);
        // At most the operator hears of it.
        assertThat(mail.getExchanges()).allSatisfy(e -> assertThat(e.getMessage().getHeader("To")).isEqualTo(OPERATOR));
    }

    private static String parent(String uid) {
        return uid + "@example.org";
    }

    /** The mails to the parent of {@code uid} (an alert of another test may come in meanwhile). */
    private static List<Message> mailsTo(MockEndpoint mail, String uid) {
        return mail.getExchanges().stream().map(e -> e.getMessage()).filter(m -> parent(uid).equals(m.getHeader("To"))).toList();
    }
}
