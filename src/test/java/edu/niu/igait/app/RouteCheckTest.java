package edu.niu.igait.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.pipeline.WebhookStageTest;
import edu.niu.igait.support.OfflinePeers;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A mistake in routes/ stops the start-up with one line naming its file and line, before any route
 * starts: a method name mistyped, in a bean step or inside an expression; an expression, or a value
 * passed to a bean, that does not parse; a property the job view does not have; a mail template left
 * broken; a give-up policy that does not exist. Each is a stage added in YAML after 3-submit, as an
 * integrator would write it, with the service's own routes and no peer running.
 */
class RouteCheckTest {

    @TempDir
    Path tmp;

    /** A stage after 3-submit whose steps are {@code steps} (YAML list items, indented for the steps). */
    private static String stage(String steps, String onGiveUp) {
        return """
                - templatedRoute:
                    routeTemplateRef: stage
                    routeId: 3b-check
                    parameters:
                      - name: stage
                        value: 3b-check
                      - name: next
                        value: 4-notify
                      - name: onGiveUp
                        value: %s
                - route:
                    id: 3b-check-steps
                    from:
                      uri: direct:3b-check
                      steps:
                """.formatted(onGiveUp) + steps.indent(8);
    }

    /** Starts the service with the stage in its own file: it must refuse, on one line starting {@code <file>:<line of marker>: }. */
    private String refused(String yaml, String marker, Map<String, String> more) throws IOException {
        Path file = tmp.resolve(yaml.contains("routeId: 3b-webhook") ? "3b-webhook.yaml" : "3b-check.yaml");
        Files.writeString(file, yaml);
        Map<String, String> p = new LinkedHashMap<>(OfflinePeers.properties(tmp.resolve("peers")));
        p.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml,file:" + file);
        p.put("igait.data-dir", tmp.resolve("data").toString());
        p.putAll(more);
        Throwable failure = null;
        try (TestService service = TestService.start(p)) {
            throw new AssertionError("the service started");
        } catch (IllegalStateException e) {
            failure = e;
        }
        String message = failure.getMessage();
        assertThat(message.lines()).as(message).hasSize(1);
        if (marker != null) {
            assertThat(message).contains(file + ":" + lineOf(yaml, marker) + ": route 3b-check-steps, step ");
        }
        // Refused before anything ran: no stage folder was made, no ticket taken.
        assertThat(tmp.resolve("data/stages/3b-check")).doesNotExist();
        return message;
    }

    private String refused(String yaml, String marker) throws IOException {
        return refused(yaml, marker, Map.of());
    }

    @Test
    void aMethodNameMistypedInABeanStepStopsStartUpNamingFileLineAndTheMethodMeant() throws IOException {
        String yaml = stage("""
                - bean:
                    ref: jobStatus
                    method: "nte(${exchangeProperty.job}, 'posted')"
                """, "fail");
        assertThat(refused(yaml, "- bean:")).contains("bean jobStatus (edu.niu.igait.stages.RouteStatus) has no method nte")
                .contains("did you mean note?");
    }

    @Test
    void aMethodNameMistypedInsideAnExpressionStopsStartUp() throws IOException {
        // Camel itself would look ${bean:...} up only when a job runs the step.
        String yaml = stage("""
                - filter:
                    simple: "${bean:jobStatus?method=nte(${exchangeProperty.job}, 'x')} == null"
                    steps:
                      - log: "noted"
                """, "fail");
        assertThat(refused(yaml, "- filter:")).contains("bean jobStatus").contains("has no method nte");
    }

    @Test
    void aBeanCallGivenTheWrongNumberOfValuesStopsStartUp() throws IOException {
        String yaml = stage("""
                - bean:
                    ref: jobStatus
                    method: "set(${exchangeProperty.job}, 'Processing')"
                """, "fail");
        assertThat(refused(yaml, "- bean:")).contains("set takes 3 values, the step gives 2");
    }

    @Test
    void aValuePassedToABeanThatDoesNotParseStopsStartUp() throws IOException {
        // Camel parses a bean's values only when a job runs the step.
        String yaml = stage("""
                - bean:
                    ref: jobStatus
                    method: "note(${exchangeProperty.job}, 'was ${exchangeProperty.job.status.code')"
                """, "fail");
        assertThat(refused(yaml, "- bean:")).contains("does not parse");
    }

    @Test
    void aSimpleExpressionThatDoesNotParseStopsStartUpNamingItsOwnLine() throws IOException {
        String yaml = stage("""
                - log: "posting"
                - setBody:
                    simple: "uid ${exchangeProperty.uid and more"
                """, "fail");
        assertThat(refused(yaml, "- setBody:")).contains("does not parse");
    }

    @Test
    void aPropertyTheJobViewDoesNotHaveStopsStartUpWithTheOnesItHas() throws IOException {
        String yaml = stage("""
                - setBody:
                    simple: "${exchangeProperty.job.status.cod}"
                """, "fail");
        assertThat(refused(yaml, "- setBody:")).contains("exchangeProperty.job.status has no property cod; did you mean code?")
                .contains("(it has code, value)");
    }

    @Test
    void aMailTemplateWithATagLeftOpenStopsStartUpNamingTheTemplatesFileAndLine() throws IOException {
        // The mail that had lost its title, heading and first paragraph without a word.
        Path mail = tmp.resolve("mail");
        Files.createDirectories(mail);
        for (String name : List.of("welcome.html", "result.html", "failure.html", "operator-alert.html")) {
            Files.copy(Path.of("routes/mail", name), mail.resolve(name));
        }
        String welcome = Files.readString(mail.resolve("welcome.html"))
                .replace("<title>Welcome to iGait!</title>", "<title>Welcome to iGait! Job {{body.jobId)</title>");
        Files.writeString(mail.resolve("welcome.html"), welcome);
        String message = refused(stage("- log: \"fine\"\n", "fail"), null, Map.of("igait.mail.templates-dir", mail.toString()));
        assertThat(message).contains(mail.resolve("welcome.html") + ":" + lineOf(welcome, "{{body.jobId)") + ": the tag {{body.jobId)")
                .contains("is not closed with }} on its line").contains("routes/mail.yaml");
    }

    @Test
    void aGiveUpPolicyThatDoesNotExistStopsStartUp() throws IOException {
        assertThat(refused(stage("- log: \"fine\"\n", "skip"), null)).contains("templatedRoute 3b-check: onGiveUp must be fail or note, got 'skip'");
    }

    @Test
    void theReadmesWebhookStageWithAPropertyMisspeltStopsStartUpWithTheLineTheReadmeShows() throws Exception {
        String yaml = WebhookStageTest.readmeWebhookStage().replace("job.status.code", "job.status.cod");
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("iGait backend failed to start: routes/stages/3b-webhook.yaml:");
        assertThat(at).as("the README's example of the line").isNotNegative();
        String shown = readme.substring(at, readme.indexOf('\n', at));
        String message = refused(yaml, null, Map.of("igait.custom.webhook-url", "http://127.0.0.1:9/igait"));
        assertThat(message.substring(message.indexOf("3b-webhook.yaml:"))).isEqualTo(shown.substring(shown.indexOf("3b-webhook.yaml:")));
    }

    @Test
    void theFunctionsOfAnExpressionAndTheValuesOfACallAreFoundWhole() {
        assertThat(RouteCheck.functions("a ${bean:x?method=m(${body}, 'y')} b ${bean:z}", "${bean:"))
                .containsExactly("bean:x?method=m(${body}, 'y')", "bean:z");
        assertThat(RouteCheck.functions("${exchangeProperty.jobId} ${exchangeProperty.job.uid}", "${exchangeProperty.job"))
                .containsExactly("exchangeProperty.job.uid");
        assertThat(RouteCheck.split("${exchangeProperty.job}, 'Processing', 'posted, at last (${body})'"))
                .containsExactly("${exchangeProperty.job}", "'Processing'", "'posted, at last (${body})'");
    }

    private static int lineOf(String text, String marker) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i + 1;
            }
        }
        throw new AssertionError(marker + " not in " + text);
    }
}
