package edu.niu.igait.completion;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;

import static edu.niu.igait.completion.CompletionCalls.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The access key at start-up: required in prod, from the environment first; without one every completion is refused. */
class CompletionStartupTest {

    /** The intake and the completion endpoint, without the pipeline's peers (tickets stay in stages/5-complete). */
    static Map<String, String> intakeAndCompletion() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.pipeline.enabled", "false");
        p.put("camel.main.routes-include-pattern", TestService.INTAKE_ONLY_ROUTES);
        return p;
    }

    @Test
    void theProdProfileWithoutAKeyRefusesToStartNamingIt() {
        Map<String, String> props = intakeAndCompletion();
        props.put("camel.main.profile", "prod");
        try (ServiceProcess service = ServiceProcess.start(props, Map.of("IGAIT_ACCESS_KEY", ""))) {
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(service.logText()).contains("iGait backend failed to start")
                    .contains("IGAIT_ACCESS_KEY").contains("igait.access-key").contains("prod");
        }
    }

    @Test
    void theProdProfileTakesTheKeyFromTheEnvironmentBeforeTheProperty() throws Exception {
        Map<String, String> props = intakeAndCompletion();
        props.put("camel.main.profile", "prod");
        props.put("igait.access-key", "a-property-key-that-loses-to-env");
        try (ServiceProcess service = ServiceProcess.start(props, Map.of("IGAIT_ACCESS_KEY", KEY)).awaitHealthy()) {
            HttpResponse<String> refused = CompletionCalls.multipart(service.uri(""),
                    CompletionCalls.result("u1", 0, "OK", "0.5"), "a-property-key-that-loses-to-env");
            assertThat(refused.statusCode()).isEqualTo(401);
            HttpResponse<String> accepted = CompletionCalls.multipart(service.uri(""),
                    CompletionCalls.withKey("u1", 0, "OK", "0.5"), null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            Path ticket = service.dataDir().resolve("stages").resolve("5-complete").resolve(Http.json(accepted.body()).get("ticket").asText());
            assertThat(Http.json(Files.readString(ticket)).get("status_content").asText()).isEqualTo("0.5");
            // Waiting tickets are counted on the management port's metrics, completion tickets included.
            assertThat(Http.get(service.managementUri("/observe/metrics")).body()).contains("igait_stage_tickets{stage=\"5-complete\"} 1");
            assertThat(service.logText()).doesNotContain(KEY);
        }
    }

    @Test
    void withoutAKeyOutsideProdEveryCompletionIsRefused() throws Exception {
        try (TestService service = TestService.start(intakeAndCompletion())) {
            for (String key : new String[] {"", "anything", KEY}) {
                HttpResponse<String> r = CompletionCalls.urlencoded(service.uri(""),
                        CompletionCalls.result("u1", 0, "OK", "0.5").add("igait_access_key", key), null);
                assertThat(r.statusCode()).isEqualTo(401);
                r = CompletionCalls.multipart(service.uri(""), CompletionCalls.result("u1", 0, "OK", "0.5"), key);
                assertThat(r.statusCode()).isEqualTo(401);
            }
            // Not a ticket anywhere (the stage's folder is made by the first ticket, or by the stage).
            assertThat(edu.niu.igait.support.DataDirSnapshot.of(service.dataDir()).under("stages")).isEmpty();
        }
    }

    @Test
    void theAccessKeyMatchesOnlyItself() {
        AccessKey key = new AccessKey(KEY);
        assertThat(key.matches(KEY)).isTrue();
        assertThat(key.matches(KEY + " ")).isFalse();
        assertThat(key.matches(KEY.substring(1))).isFalse();
        assertThat(key.matches("")).isFalse();
        assertThat(key.matches(null)).isFalse();
        AccessKey none = new AccessKey(" ");
        assertThat(none.isConfigured()).isFalse();
        assertThat(none.matches("")).isFalse();
        assertThat(none.matches(" ")).isFalse();
        assertThatThrownBy(() -> CompletionTickets.name(new CompletionRequest("../x", 0, "OK", "1"), java.time.Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
