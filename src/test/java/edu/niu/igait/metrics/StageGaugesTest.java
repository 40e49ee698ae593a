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
        // Arrived 12 s ago, rewritten just now by a retry (its ctime and mtime now), which noted the arrival.
        Files.writeString(store.resolve("sid-a"), "{\"submissionId\":\"sid-a\",\"arrivedAt\":\""
                + Instant.now().minusSeconds(12) + "\",\"arrivedIn\":\"2-store\",\"retry\":{\"attempts\":3}}");
        // Its arrival noted in the stage before (1-record, 60 s ago), handed on since: since the file changed (its move).
        Files.writeString(store.resolve("sid-b"), "{\"submissionId\":\"sid-b\",\"arrivedAt\":\""
                + Instant.now().minusSeconds(60) + "\",\"arrivedIn\":\"1-record\"}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StageGauges gauges = new StageGauges(stages, registry);
        gauges.registerStages();

        assertThat(registry.get(StageGauges.TICKETS).tag("stage", "2-store").gauge().value()).isEqualTo(2);
        assertThat(registry.get(StageGauges.OLDEST).tag("stage", "2-store").gauge().value()).isCloseTo(12, within(2.0));

        // Only the handed-on one left: its age is the file's.
        Files.delete(store.resolve("sid-a"));
        Thread.sleep(1100);
        assertThat(registry.get(StageGauges.OLDEST).tag("stage", "2-store").gauge().value()).isBetween(1.0, 4.0);
    }

    @Test
    void aStagesFirstRewriteOfATicketNotesItsArrivalFromTheMoveIntoTheFolder() throws Exception {
        edu.niu.igait.job.JobRepository jobs = new edu.niu.igait.job.JobRepository(stages.getParent().resolve("data-" + System.nanoTime()));
        jobs.createLayout();
        Path folder = Files.createDirectories(jobs.dataDir().resolve("stages").resolve("2-store"));
        Path file = folder.resolve("sid-c");
        Files.writeString(file, "{\"submissionId\":\"sid-c\"}");
        Instant moved = edu.niu.igait.job.JobRepository.changed(file);
        Thread.sleep(1100);
        edu.niu.igait.job.Ticket ticket = jobs.readTicket(file);
        ticket.retry = new edu.niu.igait.job.Ticket.Retry();
        jobs.saveTicket(ticket);
        // The first rewrite notes the arrival (the move), a later one keeps it.
        edu.niu.igait.job.Ticket saved = jobs.readTicket(file);
        assertThat(saved.arrivedIn).isEqualTo("2-store");
        assertThat(saved.arrivedAt).isEqualTo(moved);
        Thread.sleep(20);
        jobs.saveTicket(saved);
        assertThat(jobs.readTicket(file).arrivedAt).isEqualTo(moved);
        assertThat(edu.niu.igait.job.JobRepository.changed(file)).isAfter(moved);
    }
}
