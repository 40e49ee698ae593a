package edu.niu.igait.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import org.apache.camel.Exchange;

/** Liveness for the container's HEALTHCHECK: the service runs and can write its data folder. */
public class Health {

    private final JobRepository jobs;

    public Health(JobRepository jobs) {
        this.jobs = jobs;
    }

    public Map<String, Object> check(Exchange exchange) {
        Path data = jobs.dataDir();
        boolean writable = Files.isDirectory(data) && Files.isWritable(data) && Files.isWritable(jobs.uploadsDir());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", writable ? "UP" : "DOWN");
        body.put("dataDirWritable", writable);
        Map<String, Integer> waiting = new LinkedHashMap<>();
        for (String stage : jobs.stageNames()) {
            waiting.put(stage, count(jobs.stageDir(stage)));
        }
        body.put("waiting", waiting);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, writable ? 200 : 503);
        return body;
    }

    private static int count(Path dir) {
        try (var files = Files.list(dir)) {
            return (int) files.map(p -> p.getFileName().toString())
                    .filter(Ticket::isTicketFile).count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
