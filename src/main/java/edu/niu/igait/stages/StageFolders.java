package edu.niu.igait.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import edu.niu.igait.job.JobRepository;
import edu.niu.igait.mail.OperatorAlerts;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ticket folders under {@code data/stages/} and the routes that read them. A stage is whatever route
 * consumes one of those folders (the stage template's file consumer, or an integrator's own), so Java
 * knows no stage names: a folder that holds tickets while no route reads it has lost its stage (a file
 * removed from routes/stages/ while jobs waited in it), and its jobs go no further. Such a folder is
 * reported at start-up (one line each, with what to do, and one operator alert), keeps readiness DOWN
 * while it holds tickets, and is never named as the place to move a failed ticket back to.
 */
public class StageFolders {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final CamelContext context;

    public StageFolders(JobRepository jobs, CamelContext context) {
        this.jobs = jobs;
        this.context = context;
    }

    /** The folders under data/stages/ that a started route reads, by name. */
    public Set<String> read() {
        Path stages = jobs.dataDir().resolve(JobRepository.STAGES);
        Set<String> read = new TreeSet<>();
        for (Route route : context.getRoutes()) {
            Endpoint endpoint = route.getEndpoint();
            if (endpoint instanceof GenericFileEndpoint<?> file && file.getConfiguration().getDirectory() != null) {
                Path dir = Path.of(file.getConfiguration().getDirectory()).toAbsolutePath().normalize();
                if (stages.equals(dir.getParent())) {
                    read.add(dir.getFileName().toString());
                }
            }
        }
        return read;
    }

    /** Whether a route reads data/stages/{@code stage} now. */
    public boolean isRead(String stage) {
        return read().contains(stage);
    }

    /** The folders under data/stages/ that hold tickets and that no route reads, with their ticket counts, in name order. */
    public Map<String, Integer> stranded() {
        Set<String> read = read();
        Map<String, Integer> stranded = new LinkedHashMap<>();
        for (String stage : jobs.stageNames()) {
            if (!read.contains(stage)) {
                int tickets = tickets(jobs.stageDir(stage));
                if (tickets > 0) {
                    stranded.put(stage, tickets);
                }
            }
        }
        return stranded;
    }

    /**
     * What to do about a stranded folder, on one line: move its tickets to the next folder a route reads
     * (in name order, the order the stages run in), or put its stage back.
     */
    public String advice(String stage, int tickets) {
        String folder = display(jobs.stageDir(stage));
        String next = read().stream().filter(s -> s.compareTo(stage) > 0).findFirst().orElse(null);
        String what = folder + " holds " + tickets + (tickets == 1 ? " ticket" : " tickets") + " that no route reads"
                + " (was its stage removed from routes/stages/?): its jobs go no further; ";
        if (next == null) {
            return what + "put its stage back, or move them to the folder of the stage that should take them next";
        }
        return what + "move them to the next stage's folder (mv " + folder + "* " + display(jobs.stageDir(next))
                + "), or put its stage back";
    }

    /**
     * A folder of the data folder as the operator would type it: relative to the working directory when
     * under it ({@code data/stages/4-notify/}), else absolute; with a trailing slash.
     */
    public String display(Path dir) {
        Path here = Path.of("").toAbsolutePath();
        Path shown = dir.toAbsolutePath().normalize().startsWith(here) ? here.relativize(dir.toAbsolutePath().normalize()) : dir;
        return shown + "/";
    }

    /** At start-up: one line per stranded folder, and one alert to the operator with them all. */
    public void report(OperatorAlerts alerts) {
        Map<String, Integer> stranded = stranded();
        stranded.forEach((stage, tickets) -> {
            String line = advice(stage, tickets);
            LOG.warn("{}; readiness is DOWN until it is empty", line);
            alerts.note(OperatorAlerts.STRANDED_TICKETS, line);
        });
    }

    /** Tickets in a folder: its files, without the hidden ones (a ticket being written) and the consumer's marker files. */
    static int tickets(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.endsWith(".camelLock")).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
