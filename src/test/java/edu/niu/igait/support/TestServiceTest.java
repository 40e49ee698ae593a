package edu.niu.igait.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The harness itself: services start, answer and stop cleanly, one after the other in one JVM. */
class TestServiceTest {

    @Test
    void twoServicesOneAfterTheOtherInOneJvm() {
        int port;
        java.nio.file.Path firstData;
        try (TestService first = TestService.start()) {
            port = first.port();
            firstData = first.dataDir();
            assertThat(first.context().getStatus().isStarted()).isTrue();
            assertThat(Http.get(first.uri(Http.PROBE_PATH)).statusCode()).isEqualTo(404);
            assertThat(first.dataDir().resolve("uploads")).isDirectory();
            assertThat(first.dataDir().resolve("jobs")).isDirectory();
        }
        // Same port again: the first one let go of it.
        try (TestService second = TestService.start(Map.of("camel.server.port", Integer.toString(port)))) {
            assertThat(second.port()).isEqualTo(port);
            assertThat(second.context().getStatus().isStarted()).isTrue();
            assertThat(Http.answers(second.uri(Http.PROBE_PATH))).isTrue();
        }
        assertThat(firstData).as("a data folder the harness made is removed on close").doesNotExist();
        try (TestService third = TestService.start()) {
            assertThat(Http.answers(third.uri(Http.PROBE_PATH))).isTrue();
        }
        assertThat(Http.answers(java.net.URI.create("http://127.0.0.1:" + port + Http.PROBE_PATH))).isFalse();
    }
}
