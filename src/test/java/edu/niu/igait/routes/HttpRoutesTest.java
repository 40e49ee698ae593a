package edu.niu.igait.routes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import edu.niu.igait.http.RequestRejected;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/http.yaml: direct:json-reply writes the answer (JSON, the status the route set, no other
 * header), and http-errors turns a failure into the API's JSON error; seen on a route of the test's own
 * (src/test/resources/route-tests/http-probe.yaml) opted in as the API's routes are.
 */
class HttpRoutesTest extends RouteTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The probe route's step: the answer, or the failure, the test set. */
    public static final class HttpProbe {
        volatile Object answer;
        volatile RuntimeException failure;

        public Object answer() {
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }

    final HttpProbe probe = new HttpProbe();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/http.yaml", "src/test/resources/route-tests/http-probe.yaml");
    }

    @Override
    protected void bindAfter(Registry registry) {
        replace(registry, "httpProbe", probe);
    }

    @BeforeEach
    void resetProbe() {
        probe.answer = null;
        probe.failure = null;
    }

    @Test
    void jsonReplyWritesTheBodyAsJsonWithTheStatusTheRouteSetAndNoOtherHeader() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("count", 3);
        Exchange answer = template().send("direct:json-reply", e -> {
            e.getMessage().setBody(body);
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
            e.getMessage().setHeader("Authorization", "Bearer secret");
            e.getMessage().setHeader("X-Forwarded-For", "10.0.0.1");
        });

        assertThat(JSON.readTree(answer.getMessage().getBody(String.class))).isEqualTo(JSON.readTree("{\"status\":\"accepted\",\"count\":3}"));
        assertThat(answer.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_RESPONSE_CODE, "Content-Type");
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(202);
        assertThat(answer.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void aRefusalIsAnsweredWithItsStatusAndJsonErrorAndTheConnectionClosed() throws Exception {
        probe.failure = RequestRejected.retryAfter(429, "too_many_requests", "too many uploads from this uid", 60);
        Exchange answer = template().send("direct:http-probe", e -> e.getMessage().setHeader("Cookie", "a=b"));

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(429);
        assertThat(answer.getMessage().getHeader("Retry-After")).isEqualTo("60");
        assertThat(answer.getMessage().getHeader("Connection")).isEqualTo("close");
        assertThat(answer.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(answer.getMessage().getHeaders()).doesNotContainKey("Cookie");
        JsonNode error = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(error.get("error").asText()).isEqualTo("too_many_requests");
        assertThat(error.get("message").asText()).isEqualTo("too many uploads from this uid");
    }

    @Test
    void anUnexpectedFailureIsA500InJsonThatDoesNotShowTheException() throws Exception {
        probe.failure = new IllegalStateException("secret detail from inside");
        Exchange answer = template().send("direct:http-probe", e -> e.getMessage().setBody("x"));

        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(500);
        String body = answer.getMessage().getBody(String.class);
        assertThat(JSON.readTree(body).get("error").asText()).isEqualTo("internal_error");
        assertThat(body).doesNotContain("secret detail");
    }

    @Test
    void anAnswerOfTheRouteIsWrittenByJsonReply() throws Exception {
        probe.answer = Map.of("ok", true);
        Exchange answer = template().send("direct:http-probe", e -> e.getMessage().setBody("x"));

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isNull();
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class))).isEqualTo(JSON.readTree("{\"ok\":true}"));
    }
}
