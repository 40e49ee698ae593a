package edu.niu.igait.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/mail.yaml: send-mail fills the template the caller names with the body's values and sends it
 * with To, Subject (the title), From and Content-Type and no other header of the exchange;
 * operator-alert sends the alert to igait.mail.operator. The templates are a copy of routes/mail/, so
 * a test can edit them.
 */
class MailRoutesTest extends RouteTest {

    Path templates;

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/mail.yaml");
    }

    @Override
    protected void properties(Properties p) {
        templates = data.resolve("templates");
        try {
            Files.createDirectories(templates);
            for (String name : List.of("welcome", "result", "failure", "operator-alert")) {
                Files.copy(Path.of("routes/mail", name + ".html"), templates.resolve(name + ".html"));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        p.put("igait.mail.templates-dir", templates.toString());
    }

    private Exchange send(String template, String to, Map<String, Object> values, Map<String, Object> headers) {
        return template().send("direct:send-mail", e -> {
            e.setVariable("mailTemplate", template);
            e.setVariable("mailTo", to);
            e.getMessage().setHeaders(new LinkedHashMap<>(headers));
            e.getMessage().setBody(values);
        });
    }

    @Test
    void sendMailFillsTheNamedTemplateAndSetsToSubjectFromAndContentTypeOnly() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        Map<String, Object> values = Map.of("reason", "<script>alert('x')</script> & more", "statusCode", "InferenceErr",
                "uid", "u1", "jobId", 4, "support", "help@example.org", "submittedAt", "2026-11-30 10:00:00 UTC");
        Exchange done = send("failure", "parent@example.org", values,
                Map.of("Subject", "spoofed", "Bcc", "someone@example.org", "CamelFileName", "kept"));

        assertThat(done.getException()).isNull();
        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("To")).isEqualTo("parent@example.org");
        assertThat(sent.getHeader("Subject")).isEqualTo("Your recent submission to iGait App failed!");
        assertThat(sent.getHeader("From")).isEqualTo(FROM);
        assertThat(sent.getHeader("Content-Type")).isEqualTo("text/html; charset=UTF-8");
        assertThat(sent.getHeaders().keySet()).filteredOn(h -> !h.startsWith("Camel"))
                .containsExactlyInAnyOrder("To", "Subject", "From", "Content-Type");
        assertThat(sent.getHeader("CamelFileName")).isEqualTo("kept");
        assertThat(sent.getBody(String.class))
                .contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</td>").doesNotContain("<script>")
                .contains("<td>u1</td>").contains("<td>4</td>").contains("mailto:help@example.org")
                .contains("on 2026-11-30 10:00:00 UTC.");
    }

    @Test
    void anEditedTemplateIsUsedFromTheNextMailOnWithoutARestart() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        Map<String, Object> values = Map.of("uid", "u2", "jobId", 0);
        send("welcome", "p@example.org", values, Map.of());
        Path welcome = templates.resolve("welcome.html");
        Files.writeString(welcome, Files.readString(welcome).replace("<title>Welcome to iGait!</title>", "<title>Bienvenue, {{body.uid}}</title>"));
        send("welcome", "p@example.org", values, Map.of());

        assertThat(mail.getExchanges()).extracting(e -> e.getMessage().getHeader("Subject"))
                .containsExactly("Welcome to iGait!", "Bienvenue, u2");
    }

    @Test
    void theSubjectIsTheTitleAsOneLineOfTextWithItsEscapesUndone() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        send("operator-alert", OPERATOR, Map.of("subject", "a < b & 'c' = \"d\"\r\nBcc: x@example.org"), Map.of());

        assertThat(mail.getExchanges().get(0).getMessage().getHeader("Subject")).isEqualTo("a < b & 'c' = \"d\" Bcc: x@example.org");
    }

    @Test
    void anOperatorAlertGoesToTheOperatorWithALinePerEvent() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("subject", "iGait: 2 submission(s) failed");
        alert.put("time", "2026-11-30 10:00:00 UTC");
        alert.put("what", "Submissions that failed for good.");
        alert.put("countLabel", "Events");
        alert.put("count", 2);
        alert.put("items", List.of("job 1 for uid a: 2-store: <denied>", "job 2 for uid b: 2-store: denied"));
        template().sendBody("direct:operator-alert", alert);

        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("To")).isEqualTo(OPERATOR);
        assertThat(sent.getHeader("Subject")).isEqualTo("iGait: 2 submission(s) failed");
        assertThat(sent.getBody(String.class)).startsWith("<!DOCTYPE html>").contains("<p>Events: 2</p>")
                .contains("<li>job 1 for uid a: 2-store: &lt;denied&gt;</li>\n    <li>job 2 for uid b: 2-store: denied</li>\n  </ul>");
    }
}
