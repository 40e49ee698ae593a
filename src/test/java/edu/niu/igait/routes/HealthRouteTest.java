package edu.niu.igait.routes;

import java.nio.file.Files;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.job.SubmissionId;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.Test;

import static edu.niu.igait.routes.HttpRoutesTest.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/** routes/health.yaml without HTTP: the liveness answer, with the tickets waiting in each stage. */
class HealthRouteTest extends RouteTest {

    final EdgeStub edge = new EdgeStub();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/http.yaml", "routes/health.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.replaceRouteFromWith("health", "direct:health");
    }

    @Override
    protected void bindAfter(Registry registry) {
        replace(registry, "httpEdge", edge);
    }

    @Test
    void thePublicHealthSaysUpAndNothingElse() throws Exception {
        Files.createDirectories(data.resolve("stages/2-store"));
        Files.writeString(data.resolve("stages/2-store").resolve(SubmissionId.next()), "{}");
        Exchange answer = template().send("direct:health", e -> e.getMessage().setBody(""));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
        assertThat(answer.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(answer.getMessage().getBody(String.class));
        // Anyone may ask: UP or DOWN, no internals (the tickets waiting are on the management port's metrics).
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.size()).isEqualTo(1);
        assertThat(edge.calls).containsExactly("get");
    }
}
