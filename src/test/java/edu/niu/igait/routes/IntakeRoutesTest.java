package edu.niu.igait.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.ReceivedForms;
import edu.niu.igait.intake.ReceivedUpload;
import edu.niu.igait.intake.UploadReceiver;
import edu.niu.igait.job.Job;
import edu.niu.igait.support.Videos;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static edu.niu.igait.routes.HttpRoutesTest.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/intake.yaml without HTTP: the routes start from direct: endpoints, the edge's checks and the
 * body reader are stand-ins (their real-socket tests are UploadIntakeTest, UploadReceiverTest and
 * HostileRequestsTest); the validator, the intake and the answer are the service's. No stage runs:
 * the ticket stays where the intake hands it.
 */
class IntakeRoutesTest extends RouteTest {

    /** The body reader's step: the form the test gives, as the reader leaves it in the exchange. */
    public static final class FormStub {
        volatile ReceivedUpload form;
        volatile int calls;

        public void receive(Exchange exchange) {
            calls++;
            exchange.setVariable(UploadReceiver.FORM, form);
        }
    }

    final EdgeStub edge = new EdgeStub();
    final FormStub receiver = new FormStub();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/http.yaml", "routes/intake.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.replaceRouteFromWith("upload-intake", "direct:upload");
        configuration.replaceRouteFromWith("submission-status", "direct:status");
    }

    @Override
    protected void bindAfter(Registry registry) {
        replace(registry, "httpEdge", edge);
        replace(registry, "uploadReceiver", receiver);
    }

    @BeforeEach
    void resetStandIns() {
        edge.reset();
        receiver.form = null;
        receiver.calls = 0;
    }

    private ReceivedUpload form(String age) throws Exception {
        Path uploads = data.resolve("uploads");
        Path front = Videos.mp4(uploads.resolve("front-" + System.nanoTime()), 4000);
        Path side = Videos.mp4(uploads.resolve("side-" + System.nanoTime()), 5000);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("uid", "intake-user");
        fields.put("age", age);
        fields.put("ethnicity", "Asian");
        fields.put("sex", "F");
        fields.put("height", "110cm");
        fields.put("weight", "40");
        fields.put("email", "parent@example.org");
        return ReceivedForms.form(fields, renamed(front, "front.mp4"), renamed(side, "side.mp4"));
    }

    private static Path renamed(Path file, String name) throws Exception {
        Path dir = Files.createDirectories(file.resolveSibling(file.getFileName() + ".d"));
        return Files.move(file, dir.resolve(name));
    }

    @Test
    void anUploadIsCheckedKeptAndHandedTo1RecordThenAnswered202() throws Exception {
        receiver.form = form("7");
        Exchange answer = template().send("direct:upload", e -> e.getMessage().setBody(""));

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(202);
        assertThat(answer.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(answer.getMessage().getBody(String.class));
        String sid = body.get("submissionId").asText();
        assertThat(body.get("uid").asText()).isEqualTo("intake-user");
        assertThat(body.get("status").asText()).isEqualTo("Submitting");
        assertThat(body.get("statusUrl").asText()).isEqualTo("/api/v1/submissions/" + sid);
        assertThat(edge.calls).containsExactly("upload");
        assertThat(receiver.calls).isEqualTo(1);

        assertThat(tickets("stages/1-record")).contains(sid);
        Job job = jobs().get(sid);
        assertThat(job.age).isEqualTo(7);
        assertThat(job.stage).isEqualTo("1-record");
        assertThat(data.resolve("jobs").resolve(sid).resolve("front.mp4")).hasSize(4000);
        assertThat(data.resolve("jobs").resolve(sid).resolve("side.mp4")).hasSize(5000);
    }

    @Test
    void aRefusalOfTheEdgeIsAnsweredBeforeTheBodyIsReadAndKeepsNothing() throws Exception {
        edge.refusal = new RequestRejected(401, "missing_token", null, "sign in first");
        List<String> jobsBefore = tickets("jobs");
        List<String> ticketsBefore = tickets("stages/1-record");
        Exchange answer = template().send("direct:upload", e -> e.getMessage().setBody(""));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(401);
        assertThat(answer.getMessage().getHeader("WWW-Authenticate")).isNotNull();
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("error").asText()).isEqualTo("missing_token");
        assertThat(receiver.calls).isZero();
        assertThat(tickets("stages/1-record")).isEqualTo(ticketsBefore);
        assertThat(tickets("jobs")).isEqualTo(jobsBefore);
    }

    @Test
    void aFormThatFailsItsChecksIsAnswered400NamingTheFieldAndKeepsNothing() throws Exception {
        receiver.form = form("seven");
        List<String> jobsBefore = tickets("jobs");
        List<String> ticketsBefore = tickets("stages/1-record");
        Exchange answer = template().send("direct:upload", e -> e.getMessage().setBody(""));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(400);
        JsonNode error = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(error.get("field").asText()).isEqualTo("age");
        assertThat(tickets("stages/1-record")).isEqualTo(ticketsBefore);
        assertThat(tickets("jobs")).isEqualTo(jobsBefore);
    }

    @Test
    void theStatusOfASubmissionSaysWhereItStandsAndAnUnknownOneIs404() throws Exception {
        receiver.form = form("7");
        String sid = JSON.readTree(template().send("direct:upload", e -> e.getMessage().setBody(""))
                .getMessage().getBody(String.class)).get("submissionId").asText();

        Exchange status = template().send("direct:status", e -> e.getMessage().setHeader("sid", sid));
        assertThat(status.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isNull();
        JsonNode body = JSON.readTree(status.getMessage().getBody(String.class));
        assertThat(body.get("stage").asText()).isEqualTo("1-record");
        assertThat(body.get("status").get("code").asText()).isEqualTo("Submitting");
        assertThat(body.get("history").findValuesAsText("code")).containsExactly("Submitting");
        assertThat(body.has("age")).isFalse();
        assertThat(edge.calls).containsExactly("upload", "status");

        Exchange unknown = template().send("direct:status", e -> e.getMessage().setHeader("sid", "AAAAAAAAAAAAAAAAAAAAAA"));
        assertThat(unknown.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
    }
}
