package edu.niu.igait.routes;

import java.time.Instant;
import java.util.List;

import edu.niu.igait.job.Job;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** routes/stages/4-notify.yaml: the welcome mail (template welcome.html) once, then the ticket to data/done/. */
class NotifyRouteTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/4-notify.yaml");
    }

    @Test
    void theWelcomeMailGoesOnceToTheParentFilledFromTheJobWithEveryValueEscaped() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        Job job = recorded("welcome", "parent@example.org");
        jobs().update(job.submissionId, j -> {
            j.ethnicity = "<b>Asian & \"Other\"</b>";
            j.height = "4'2\"";
        });
        release(job.submissionId, "4-notify");

        awaitTicket("done", job.submissionId);
        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("To")).isEqualTo("parent@example.org");
        assertThat(sent.getHeader("From")).isEqualTo(FROM);
        assertThat(sent.getHeader("Subject")).isEqualTo("Welcome to iGait!");
        assertThat(sent.getHeader("Content-Type")).isEqualTo("text/html; charset=UTF-8");
        String html = sent.getBody(String.class);
        assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("{{").doesNotContain("This comment is not sent")
                .contains("&lt;b&gt;Asian &amp; &quot;Other&quot;&lt;/b&gt;").doesNotContain("<b>Asian")
                .contains("4&#39;2&quot;").contains("<td>welcome</td>").contains("<td>0</td>")
                .contains("GaitStudy@niu.edu").contains(" UTC</td>");
        assertThat(jobs().get(job.submissionId).welcomeMailSentAt).isNotNull();
    }

    @Test
    void aWelcomeMailAlreadySentIsNotSentAgain() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        Job job = recorded("sent", "parent@example.org");
        jobs().update(job.submissionId, j -> j.welcomeMailSentAt = Instant.now());
        release(job.submissionId, "4-notify");

        awaitTicket("done", job.submissionId);
        assertThat(mail.getExchanges()).isEmpty();
    }
}
