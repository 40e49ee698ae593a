package edu.niu.igait.intake;

import java.util.Map;

import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.TestService;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP server's own body cap follows the video limit, so raising one needs no second setting. */
class ServerLimitsTest {

    @Test
    void bodyCapFollowsTheVideoLimit() {
        long max = 2L * 1024 * 1024 * 1024;
        try (TestService service = TestService.start(Map.of("igait.upload.max-video-bytes", Long.toString(max)))) {
            MainHttpServer server = service.context().hasService(MainHttpServer.class);
            assertThat(server.getMaxBodySize()).isEqualTo(2 * max + 1024 * 1024);
        }
    }

    @Test
    void anExplicitBodyCapIsKept() {
        try (TestService service = TestService.start(Map.of("camel.server.maxBodySize", "123456789"))) {
            MainHttpServer server = service.context().hasService(MainHttpServer.class);
            assertThat(server.getMaxBodySize()).isEqualTo(123456789L);
        }
    }
}
