package edu.niu.igait.intake;

import java.util.Map;

import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.TestService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform's body handler serves no route (each reads its own body), so it is capped small
 * (camel.server.maxBodySize, or igait.http.max-form-bytes when unset) and decodes no multipart.
 */
class ServerLimitsTest {

    @Test
    void theBodyHandlerIsCappedAndDecodesNoMultipart() {
        try (TestService service = TestService.start()) {
            MainHttpServer server = service.context().hasService(MainHttpServer.class);
            assertThat(server.getMaxBodySize()).isEqualTo(65536L);
            assertThat(server.isFileUploadEnabled()).isFalse();
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
