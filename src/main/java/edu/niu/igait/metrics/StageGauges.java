package edu.niu.igait.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How many tickets wait in each stage folder ({@code igait_stage_tickets}) and how long the oldest
 * has been there ({@code igait_stage_oldest_ticket_seconds}): what {@code ls data/stages/*} shows,
 * for a dashboard and an alert. The stages are the folders under {@code data/stages}, whatever routes
 * made them; each is looked at when the metrics are read (at most once a second).
 *
 * <p>How long a ticket has waited: since its arrival in the stage, so the figure holds across scrapes,
 * retries, restarts and replicas. That is the file's ctime (the move into the folder) until the stage
 * first rewrites the ticket (a retry), which notes the arrival in it first ({@code arrivedAt} with
 * {@code arrivedIn} naming the folder; an endpoint that makes a ticket writes them too). Each ticket is
 * read once, when first seen in its folder.
 */
public class StageGauges {

    public static final String TICKETS = "igait.stage.tickets";
    public static final String OLDEST = "igait.stage.oldest.ticket";
    private static final long FRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stagesDir;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    /** stage -> ticket name -> when first seen there. */
    private final Map<String, Map<String, Instant>> seen = new HashMap<>();
    private Map<String, Scan> last = Map.of();
    private long lastNanos;

    public StageGauges(Path stagesDir, MeterRegistry registry) {
        this(stagesDir, registry, Clock.systemUTC());
    }

    StageGauges(Path stagesDir, MeterRegistry registry, Clock clock) {
        this.stagesDir = stagesDir;
        this.registry = registry;
        this.clock = clock;
    }

    /** Registers the gauges of every stage folder there is now (call again to pick up new ones). */
    public void registerStages() {
        if (!Files.isDirectory(stagesDir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stagesDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                register(dir.getFileName().toString());
            }
        } catch (IOException e) {
            // the next call tries again
        }
    }

    /** Registers the gauges of one stage (its folder need not exist yet). */
    public void register(String stage) {
        if (stage.startsWith(".") || !registered.add(stage)) {
            return;
        }
        Gauge.builder(TICKETS, () -> scan(stage).count).tag("stage", stage)
                .description("Tickets waiting in the stage's folder now").register(registry);
        Gauge.builder(OLDEST, () -> scan(stage).oldestSeconds).tag("stage", stage).baseUnit("seconds")
                .description("How long the oldest ticket in the stage's folder has waited there").register(registry);
    }

    private synchronized Scan scan(String stage) {
        long now = System.nanoTime();
        if (now - lastNanos > FRESH_NANOS) {
            Map<String, Scan> scans = new HashMap<>();
            for (String s : registered) {
                scans.put(s, look(s));
            }
            last = scans;
            lastNanos = now;
        }
        return last.getOrDefault(stage, Scan.EMPTY);
    }

    private Scan look(String stage) {
        Path dir = stagesDir.resolve(stage);
        Map<String, Instant> known = seen.computeIfAbsent(stage, s -> new HashMap<>());
        Set<String> present = new HashSet<>();
        Instant now = clock.instant();
        Instant oldest = null;
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, StageGauges::isTicket)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    present.add(name);
                    Instant since = known.computeIfAbsent(name, n -> arrived(file, now));
                    if (oldest == null || since.isBefore(oldest)) {
                        oldest = since;
                    }
                }
            } catch (IOException e) {
                return new Scan(-1, 0);
            }
        }
        known.keySet().retainAll(present);
        double age = oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0);
        return new Scan(present.size(), age);
    }

    /** A ticket: a file of the folder that is neither being written (dot name) nor a stage's lock. */
    static boolean isTicket(Path p) {
        String n = p.getFileName().toString();
        return !n.startsWith(".") && !n.endsWith(".camelLock") && Files.isRegularFile(p);
    }

    /** The ticket's {@code arrivedAt} when it is about this folder, else when the file last changed. */
    private static Instant arrived(Path file, Instant now) {
        try {
            JsonNode ticket = JSON.readTree(file.toFile());
            JsonNode at = ticket.path("arrivedAt");
            if (at.isTextual() && file.getParent().getFileName().toString().equals(ticket.path("arrivedIn").asText())) {
                return min(Instant.parse(at.asText()), now);
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or not a ticket of ours: when it changed
        }
        return changed(file, now);
    }

    private static Instant changed(Path file, Instant now) {
        try {
            Object ctime = Files.getAttribute(file, "unix:ctime");
            if (ctime instanceof FileTime t) {
                return min(t.toInstant(), now);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not a unix file system: the modification time
        }
        try {
            return min(Files.getLastModifiedTime(file).toInstant(), now);
        } catch (IOException e) {
            return now;
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private record Scan(int count, double oldestSeconds) {
        static final Scan EMPTY = new Scan(0, 0);
    }
}
