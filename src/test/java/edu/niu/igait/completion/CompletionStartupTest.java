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
        // Otherwise as the prod profile takes it (it refuses uploads without sign-in).
        props.put("igait.auth.mode", "firebase");
        props.put("igait.auth.project-id", "igait-test");
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
        // Otherwise as the prod profile takes it (it refuses uploads without sign-in).
        props.put("igait.auth.mode", "firebase");
        props.put("igait.auth.project-id", "igait-test");
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

    @Test
    void whileTheKeyIsChangedBothTheOldAndTheNewKeyAreTakenAndNoOther() throws Exception {
        String old = "old-key-0123456789abcdef";
        String fresh = "new-key-fedcba9876543210";
        Map<String, String> props = intakeAndCompletion();
        props.put("igait.access-key", old + ", " + fresh);
        try (TestService service = TestService.start(props)) {
            assertThat(CompletionCalls.urlencoded(service.uri(""), CompletionCalls.result("u1", 0, "OK", "0.5"), old).statusCode())
                    .isEqualTo(202);
            assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.result("u1", 1, "OK", "0.5"), fresh).statusCode())
                    .isEqualTo(202);
            assertThat(CompletionCalls.urlencoded(service.uri(""),
                    CompletionCalls.result("u1", 2, "OK", "0.5").add("igait_access_key", fresh), null).statusCode()).isEqualTo(202);
            for (String wrong : new String[] {old + "," + fresh, old.substring(1), "", "third-key-000000000000"}) {
                assertThat(CompletionCalls.urlencoded(service.uri(""), CompletionCalls.result("u1", 3, "OK", "0.5"), wrong).statusCode())
                        .as(wrong).isEqualTo(401);
            }
        }
        AccessKey both = new AccessKey(old + "," + fresh);
        assertThat(both.matches(old)).isTrue();
        assertThat(both.matches(fresh)).isTrue();
        assertThat(both.matches(old + "," + fresh)).isFalse();
    }

    @Test
    void moreThanTwoKeysAtOnceRefuseToStart() {
        Map<String, String> props = intakeAndCompletion();
        props.put("igait.access-key", "a-key-0123456789abcdef,b-key-0123456789abcdef,c-key-0123456789abcdef");
        assertThatThrownBy(() -> TestService.start(props).close()).hasMessageContaining("IGAIT_ACCESS_KEY holds 3 keys");
    }
}
