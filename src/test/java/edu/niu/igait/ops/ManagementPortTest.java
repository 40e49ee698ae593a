package edu.niu.igait.ops;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The management port (camel.management.port), a server apart from the API: liveness, readiness with
 * its checks, all checks with details, Prometheus metrics; and what the public port keeps of it (UP or
 * DOWN only). Bad settings of the new properties stop start-up in one line naming the property.
 */
class ManagementPortTest {

    @Test
    void healthAndMetricsAreOnTheManagementPortAndNotOnTheApi() {
        try (TestService service = TestService.start()) {
            HttpResponse<String> live = Http.get(service.managementUri("/observe/health/live"));
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(Http.json(live.body()).get("status").asText()).isEqualTo("UP");

            HttpResponse<String> ready = Http.get(service.managementUri("/observe/health/ready"));
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode readiness = Http.json(ready.body());
            assertThat(readiness.get("status").asText()).isEqualTo("UP");
            assertThat(Management.check(readiness, "data-folder").get("status").asText()).isEqualTo("UP");
            assertThat(Management.check(readiness, "free-disk").get("status").asText()).isEqualTo("UP");
            assertThat(Management.check(readiness, "route:upload-intake").get("status").asText()).isEqualTo("UP");
            assertThat(Management.check(readiness, "context").get("status").asText()).isEqualTo("UP");

            HttpResponse<String> all = Http.get(service.managementUri("/observe/health?data=true"));
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(Management.check(Http.json(all.body()), "free-disk").path("data").path("min-free-disk.bytes").asLong())
                    .isEqualTo(2L << 30);

            HttpResponse<String> metrics = Http.get(service.managementUri("/observe/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(Management.names(metrics.body())).contains("igait_uploads_total", "igait_upload_bytes_total",
                    "igait_upload_seconds_bucket", "igait_completions_total", "igait_completion_refused_total",
                    "camel_exchanges_total", "jvm_memory_used_bytes", "process_uptime_seconds");

            // The public port: UP or DOWN, no internals; none of the management paths.
            HttpResponse<String> open = Http.get(service.uri("/api/v1/health"));
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(Http.json(open.body()).properties()).hasSize(1);
            assertThat(Http.json(open.body()).get("status").asText()).isEqualTo("UP");
            for (String path : new String[] {"/observe/metrics", "/observe/health", "/observe/health/ready"}) {
                assertThat(Http.get(service.uri(path)).statusCode()).as(path).isEqualTo(404);
            }
        }
    }

    @Test
    void aTakenManagementPortStopsStartUpNamingTheProperty() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> TestService.start(Map.of("camel.management.port", Integer.toString(taken.getLocalPort()))).close())
                    .hasMessageContaining("camel.management.port " + taken.getLocalPort()).hasMessageContaining("not available");
        }
    }

    @Test
    void theManagementPortMustNotBeTheApiPort() {
        int port = edu.niu.igait.dev.Ports.freePort();
        assertThatThrownBy(() -> TestService.start(Map.of("camel.server.port", Integer.toString(port),
                "camel.management.port", Integer.toString(port))).close())
                .hasMessageContaining("camel.management.port must differ from camel.server.port");
    }

    @Test
    void aDrainThatIsNotADurationStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> TestService.start(Map.of("igait.shutdown.drain", "soon")).close())
                .hasMessageContaining("igait.shutdown.drain");
    }

    @Test
    void aDrainLongerThanTheShutdownAllowsIsCutToFitWithAWarning() {
        try (ServiceProcess service = ServiceProcess.start(Map.of("camel.main.shutdown-timeout", "6", "igait.shutdown.drain", "30s"))
                .awaitHealthy()) {
            assertThat(service.logText()).contains("igait.shutdown.drain (30s) does not fit in camel.main.shutdown-timeout (6 s)");
            service.terminate();
            service.awaitExit(Duration.ofSeconds(60));
            assertThat(service.logText()).contains("have 4 s to finish (igait.shutdown.drain)");
        }
    }

    @Test
    void anUnknownLogFormatStopsStartUpInOneLineNamingTheProperty() {
        try (ServiceProcess service = ServiceProcess.start(Map.of("igait.log.format", "xml"))) {
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(service.logText().strip()).endsWith("iGait backend failed to start: igait.log.format must be plain or json, got 'xml'");
        }
    }
}
