package edu.niu.igait.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import edu.niu.igait.job.JobRepository;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/v1/health}, open to anyone: UP or DOWN (the service runs and can write its data
 * folder), nothing else. What an operator needs (readiness, each peer, the tickets waiting, metrics)
 * is on the management port ({@code camel.management.port}: {@code /observe/health},
 * {@code /observe/metrics}), which is not public.
 */
public class Health {

    private final JobRepository jobs;

    public Health(JobRepository jobs) {
        this.jobs = jobs;
    }

    public Map<String, Object> check(Exchange exchange) {
        Path data = jobs.dataDir();
        boolean writable = Files.isDirectory(data) && Files.isWritable(data) && Files.isWritable(jobs.uploadsDir());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, writable ? 200 : 503);
        return Map.of("status", writable ? "UP" : "DOWN");
    }
}
