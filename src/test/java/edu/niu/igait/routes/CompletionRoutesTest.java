package edu.niu.igait.routes;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.completion.CompletionRequest;
import edu.niu.igait.completion.CompletionValidator;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Ticket;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static edu.niu.igait.routes.HttpRoutesTest.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/completion.yaml without HTTP: the route starts from a direct: endpoint, the edge's check and
 * the form's reader are stand-ins (their real-socket tests are CompletionTest and
 * HostileRequestsTest); the ticket and the answer are the service's. No stage runs.
 */
class CompletionRoutesTest extends RouteTest {

    /** The validator's step: the completion the test gives, or its refusal. */
    static final class ValidatorStub extends CompletionValidator {
        volatile CompletionRequest request;
        volatile RuntimeException refusal;

        ValidatorStub() {
            super(null, null, 1024, null, 10_000);
        }

        @Override
        public CompletionRequest validate(Exchange exchange) {
            if (refusal != null) {
                throw refusal;
            }
            return request;
        }
    }

    final EdgeStub edge = new EdgeStub();
    final ValidatorStub validator = new ValidatorStub();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/http.yaml", "routes/completion.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.replaceRouteFromWith("completion-intake", "direct:completion");
    }

    @Override
    protected void bindAfter(Registry registry) {
        replace(registry, "httpEdge", edge);
        replace(registry, "completionValidator", validator);
    }

    @BeforeEach
    void resetStandIns() {
        edge.reset();
        validator.request = null;
        validator.refusal = null;
    }

    @Test
    void aCompletionIsKeptAsATicketOf5CompleteAndAnswered202() throws Exception {
        validator.request = new CompletionRequest("metis-user", 4, "OK", "0.77");
        Exchange answer = template().send("direct:completion", e -> e.getMessage().setBody(""));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(202);
        JsonNode body = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(body.get("status").asText()).isEqualTo("accepted");
        String name = body.get("ticket").asText();
        assertThat(tickets("stages/5-complete")).contains(name);
        Ticket ticket = jobs().readTicket(data.resolve("stages/5-complete").resolve(name));
        assertThat(ticket.completionUid).isEqualTo("metis-user");
        assertThat(ticket.completionJobId).isEqualTo(4);
        assertThat(ticket.statusCode).isEqualTo("OK");
        assertThat(ticket.statusContent).isEqualTo("0.77");
        assertThat(edge.calls).containsExactly("completion");
    }

    @Test
    void aRefusedCompletionIsAnsweredInJsonAndKeepsNothing() throws Exception {
        validator.refusal = new RequestRejected(401, "invalid_key", null, "the access key is wrong");
        List<String> before = tickets("stages/5-complete");
        Exchange answer = template().send("direct:completion", e -> e.getMessage().setBody(""));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(401);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("error").asText()).isEqualTo("invalid_key");
        assertThat(tickets("stages/5-complete")).isEqualTo(before);
    }
}
