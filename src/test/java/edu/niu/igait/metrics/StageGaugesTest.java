package edu.niu.igait.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * igait_stage_oldest_ticket_seconds counts from the ticket's arrival in its stage, as written into it,
 * not from when the gauge first saw it or a retry last rewrote it: a job that waited 12 s in 2-store
 * behind a down S3 shows 12 s to a gauge that has just started (a restart, another scrape).
 */
class StageGaugesTest {

    @TempDir
    Path stages;

    @Test
    void theOldestTicketCountsFromTheArrivalWrittenIntoItWhateverRewroteItSince() throws Exception {
        Path store = Files.createDirectories(stages.resolve("2-store"));
        // Arrived 12 s ago, rewritten just now by a retry (its ctime and mtime now).
        Files.writeString(store.resolve("sid-a"), "{\"submissionId\":\"sid-a\",\"arrivedAt\":\""
                + Instant.now().minusSeconds(12) + "\",\"retry\":{\"attempts\":3}}");
        // Moved back by hand, without an arrival: since the file changed.
        Files.writeString(store.resolve("sid-b"), "{\"submissionId\":\"sid-b\"}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StageGauges gauges = new StageGauges(stages, registry);
        gauges.registerStages();

        assertThat(registry.get(StageGauges.TICKETS).tag("stage", "2-store").gauge().value()).isEqualTo(2);
        assertThat(registry.get(StageGauges.OLDEST).tag("stage", "2-store").gauge().value()).isCloseTo(12, within(2.0));

        // Only the one without an arrival left: its age is the file's.
        Files.delete(store.resolve("sid-a"));
        Thread.sleep(1100);
        assertThat(registry.get(StageGauges.OLDEST).tag("stage", "2-store").gauge().value()).isBetween(1.0, 4.0);
    }
}
