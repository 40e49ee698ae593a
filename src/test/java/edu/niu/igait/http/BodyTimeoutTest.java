package edu.niu.igait.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.TestService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * igait.http.body-timeout: with the rate floor off, an upload trickling within the idle time-out still
 * ends, 408 body_timeout, freeing its slot, its worker and its partial files.
 */
class BodyTimeoutTest {

    static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of("igait.http.body-min-rate", "0", "igait.http.body-timeout", "2s"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void anUploadStillArrivingAfterTheBodyTimeOutIsAnswered408AndFreesWhatItHeld() {
        byte[] body = Hostile.uploadBody();
        int status = SlowClientsTest.trickle(service.port(), "127.0.0.5", Hostile.uploadHead(body.length), body, 1024, Duration.ofSeconds(20));

        assertThat(status).isEqualTo(408);
        assertThat(HungUpClientsTest.counter(service.context().getRegistry().lookupByNameAndType("serviceMetrics", ServiceMetrics.class)
                .registry(), ServiceMetrics.UPLOADS, "body_timeout")).isEqualTo(1);
        ApiLoad load = service.context().getRegistry().lookupByNameAndType("apiLoad", ApiLoad.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(load.uploadsInProgress()).isZero();
            assertThat(load.workersBusy()).isZero();
            assertThat(load.uploadMemoryBytes()).isZero();
            try (Stream<Path> left = Files.list(service.dataDir().resolve("uploads"))) {
                assertThat(left).isEmpty();
            }
        });
    }
}
