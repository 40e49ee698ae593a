package edu.niu.igait.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data folder: {@code jobs/<sid>/job.json} and the videos, and the tickets whose folder says
 * where each job stands ({@code stages/<n>/<sid>}, {@code done/<sid>}, {@code failed/<stage>/<sid>}).
 */
public class JobRepository {

    public static final List<String> STAGES = List.of("1-record", "2-store", "3-submit", "4-notify", "5-complete");
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");

    private final Path dataDir;
    private final ObjectMapper json;
    private volatile java.util.function.Consumer<String> ticketListener = stage -> { };

    public JobRepository(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path uploadsDir() {
        return dataDir.resolve("uploads");
    }

    public Path jobsDir() {
        return dataDir.resolve("jobs");
    }

    public Path jobDir(String sid) {
        requireSid(sid);
        return jobsDir().resolve(sid);
    }

    public Path stageDir(String stage) {
        return dataDir.resolve("stages").resolve(stage);
    }

    public ObjectMapper json() {
        return json;
    }

    /** Creates the folders every route and the intake expect. */
    public void createLayout() {
        try {
            Files.createDirectories(uploadsDir());
            Files.createDirectories(jobsDir());
            for (String stage : STAGES) {
                Files.createDirectories(stageDir(stage));
                Files.createDirectories(dataDir.resolve(FAILED).resolve(stage));
            }
            Files.createDirectories(dataDir.resolve(DONE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folders under " + dataDir, e);
        }
    }

    public Optional<Job> find(String sid) {
        if (!SubmissionId.isValid(sid)) {
            return Optional.empty();
        }
        Path file = jobDir(sid).resolve("job.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), Job.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Job get(String sid) {
        return find(sid).orElseThrow(() -> new MalformedJobException("submission " + sid + " has no job.json"));
    }

    /** Replaces job.json atomically. */
    public void save(Job job) {
        try {
            DurableFiles.write(jobDir(job.submissionId).resolve("job.json"), json.writeValueAsBytes(job));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job.json of " + job.submissionId, e);
        }
    }

    /** Reads, changes and saves the job: the way every stage records what it did. */
    public Job update(String sid, java.util.function.Consumer<Job> change) {
        Job job = get(sid);
        change.accept(job);
        job.updatedAt = Instant.now();
        save(job);
        return job;
    }

    /** Told the stage of every ticket written, so that its folder can be polled at once. */
    public void onTicket(java.util.function.Consumer<String> listener) {
        this.ticketListener = listener;
    }

    /** A ticket was put into this stage's folder (by this class or another writer of tickets). */
    public void ticketWritten(String stage) {
        ticketListener.accept(stage);
    }

    /** Writes a ticket atomically: under a dot name first, which the file consumers ignore. */
    public void writeTicket(String stage, String sid, byte[] content) {
        try {
            DurableFiles.write(stageDir(stage).resolve(sid), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ticket of " + sid, e);
        }
        ticketWritten(stage);
    }

    /** Where the job's ticket is now: a stage name, {@code done}, {@code failed/<stage>}, or empty. */
    public Optional<String> ticketLocation(String sid) {
        requireSid(sid);
        for (String stage : STAGES) {
            if (Files.exists(stageDir(stage).resolve(sid))) {
                return Optional.of(stage);
            }
        }
        if (Files.exists(dataDir.resolve(DONE).resolve(sid))) {
            return Optional.of(DONE);
        }
        for (String stage : STAGES) {
            if (Files.exists(dataDir.resolve(FAILED).resolve(stage).resolve(sid))) {
                return Optional.of(FAILED + "/" + stage);
            }
        }
        return Optional.empty();
    }

    /**
     * Removes what a crash in the middle of an upload leaves behind: partial temp uploads, and job
     * folders whose ticket was never written. Runs before the HTTP server accepts requests.
     */
    public List<String> removeOrphans() {
        List<String> removed = new ArrayList<>();
        try {
            if (Files.isDirectory(uploadsDir())) {
                try (Stream<Path> files = Files.list(uploadsDir())) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        DurableFiles.deleteTree(p);
                        removed.add("uploads/" + p.getFileName());
                    }
                }
            }
            Set<String> ticketed = new HashSet<>();
            for (String stage : STAGES) {
                collectTickets(stageDir(stage), ticketed);
                collectTickets(dataDir.resolve(FAILED).resolve(stage), ticketed);
            }
            collectTickets(dataDir.resolve(DONE), ticketed);
            if (Files.isDirectory(jobsDir())) {
                try (Stream<Path> dirs = Files.list(jobsDir())) {
                    for (Path p : (Iterable<Path>) dirs::iterator) {
                        if (!ticketed.contains(p.getFileName().toString())) {
                            DurableFiles.deleteTree(p);
                            removed.add("jobs/" + p.getFileName());
                        }
                    }
                }
            }
            // Half-written tickets (dot names) of those jobs are gone with them.
            for (String stage : STAGES) {
                removeDotFiles(stageDir(stage), removed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up the data folder " + dataDir, e);
        }
        if (!removed.isEmpty()) {
            LOG.info("start-up clean-up: removed {} left by an interrupted upload: {}", removed.size(), removed);
        }
        return removed;
    }

    private static void collectTickets(Path dir, Set<String> into) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(SubmissionId::isValid)
                    .forEach(into::add);
        }
    }

    private static void removeDotFiles(Path dir, List<String> removed) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                    removed.add(dir.getFileName() + "/" + name);
                }
            }
        }
    }

    private static void requireSid(String sid) {
        if (!SubmissionId.isValid(sid)) {
            throw new IllegalArgumentException("not a submission id");
        }
    }
}
