package edu.niu.igait.job;

import edu.niu.igait.failure.MalformedJob;
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
 * The data folder: {@code jobs/<sid>/job.json} and the videos, {@code contributions/<id>/contribution.json}
 * and a research contribution's videos, and the tickets whose folder says where each piece of work
 * stands ({@code stages/<stage>/<sid>}, {@code done/<sid>}, {@code failed/<stage>/<sid>}, and for the
 * other kinds of ticket {@code done/<folder>/<name>}). The stages are whatever folders {@code stages/}
 * holds: the routes in {@code routes/stages/} and {@code routes/contribute/} make them.
 */
public class JobRepository {

    public static final String STAGES = "stages";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");

    private final Path dataDir;
    private final ObjectMapper json;

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

    public Path contributionsDir() {
        return dataDir.resolve("contributions");
    }

    public Path contributionDir(String id) {
        return contributionsDir().resolve(Contribution.requireId(id));
    }

    public Path stageDir(String stage) {
        requireFolderName(stage);
        return dataDir.resolve(STAGES).resolve(stage);
    }

    public Path failedDir(String stage) {
        requireFolderName(stage);
        return dataDir.resolve(FAILED).resolve(stage);
    }

    /** The stage folders under {@code stages/}, in name order (the order the stages run in). */
    public List<String> stageNames() {
        return folders(dataDir.resolve(STAGES));
    }

    /** The folders under {@code failed/}: the stages jobs have failed in. */
    public List<String> failedStageNames() {
        return folders(dataDir.resolve(FAILED));
    }

    private static List<String> folders(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + parent, e);
        }
    }

    public ObjectMapper json() {
        return json;
    }

    /** Creates the folders the intake expects; each stage's file consumer makes its own folder. */
    public void createLayout() {
        try {
            DurableFiles.createDirectories(uploadsDir());
            DurableFiles.createDirectories(jobsDir());
            DurableFiles.createDirectories(contributionsDir());
            DurableFiles.createDirectories(dataDir.resolve(STAGES));
            DurableFiles.createDirectories(dataDir.resolve(FAILED));
            DurableFiles.createDirectories(dataDir.resolve(DONE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folders under " + dataDir, e);
        }
    }

    public Optional<Job> find(String sid) {
        if (!SubmissionId.isValid(sid)) {
            return Optional.empty();
        }
        return record(jobDir(sid).resolve("job.json"), Job.class);
    }

    /** A record (job.json, contribution.json) if it is there. */
    private <T> Optional<T> record(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), type));
        } catch (IOException e) {
            // Not the parser's message: it quotes the file, which holds a child's data.
            throw new UncheckedIOException(new IOException("cannot read " + file + ": " + where(e)));
        }
    }

    public Job get(String sid) {
        return find(sid).orElseThrow(() -> new MalformedJob("submission " + sid + " has no job.json"));
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

    /** The contribution's record, if this machine holds it. */
    public Optional<Contribution> findContribution(String id) {
        if (!Contribution.isValidId(id)) {
            return Optional.empty();
        }
        return record(contributionDir(id).resolve(CONTRIBUTION_FILE), Contribution.class);
    }

    public Contribution getContribution(String id) {
        return findContribution(id).orElseThrow(() -> new MalformedJob("contribution " + id + " has no " + CONTRIBUTION_FILE));
    }

    /** Replaces contribution.json atomically. */
    public void saveContribution(Contribution contribution) {
        try {
            DurableFiles.write(contributionDir(contribution.contributionId).resolve(CONTRIBUTION_FILE), json.writeValueAsBytes(contribution));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + CONTRIBUTION_FILE + " of contribution " + contribution.contributionId, e);
        }
    }

    /**
     * Reads, changes and saves a contribution's record, one change at a time per contribution: a stage
     * and a request about the same contribution may come together.
     */
    public Contribution updateContribution(String id, java.util.function.Consumer<Contribution> change) {
        synchronized (contributionLocks.computeIfAbsent(id, k -> new Object())) {
            Contribution contribution = getContribution(id);
            change.accept(contribution);
            contribution.updatedAt = Instant.now();
            saveContribution(contribution);
            return contribution;
        }
    }

    /** The record a contribution's stage keeps: contribution.json in data/contributions/<id>/. */
    public static final String CONTRIBUTION_FILE = "contribution.json";
    private final java.util.Map<String, Object> contributionLocks = new java.util.concurrent.ConcurrentHashMap<>();

    /** Writes a new ticket into a stage's folder atomically: under a dot name first, which file consumers ignore. */
    public void writeTicket(String stage, String name, Ticket ticket) {
        requireFolderName(name);
        ticket.arrivedAt = Instant.now();
        ticket.arrivedIn = stage;
        try {
            DurableFiles.write(stageDir(stage).resolve(name), json.writeValueAsBytes(ticket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ticket " + name, e);
        }
    }

    /** Reads a ticket; one that cannot be read cannot be retried into shape. */
    public Ticket readTicket(Path file) {
        try {
            Ticket ticket = json.readValue(file.toFile(), Ticket.class);
            ticket.file = file;
            return ticket;
        } catch (IOException e) {
            throw new MalformedJob("ticket " + file.getFileName() + " cannot be read: " + where(e));
        }
    }

    /**
     * Rewrites an opened ticket in place, atomically (its retry state changed), noting first, if it has
     * not yet, when it came into its folder: the file's ctime, which this rewrite is about to change.
     */
    public void saveTicket(Ticket ticket) {
        String folder = ticket.file.getParent().getFileName().toString();
        if (!folder.equals(ticket.arrivedIn)) {
            ticket.arrivedAt = changed(ticket.file);
            ticket.arrivedIn = folder;
        }
        write(ticket);
    }

    /** When a file last changed (its ctime: a move into its folder is a change), else its modification time. */
    public static Instant changed(Path file) {
        try {
            if (Files.getAttribute(file, "unix:ctime") instanceof java.nio.file.attribute.FileTime t) {
                return t.toInstant();
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not a unix file system: the modification time
        }
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /** Rewrites an opened ticket in place, atomically, as it is. */
    public void writeTicketAsIs(Ticket ticket) {
        write(ticket);
    }

    private void write(Ticket ticket) {
        try {
            DurableFiles.write(ticket.file, json.writeValueAsBytes(ticket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the ticket " + ticket.name(), e);
        }
    }

    /** Moves an opened ticket into {@code dir}, atomically; returns where it is now. */
    public Path moveTicket(Ticket ticket, Path dir) {
        Path target = dir.resolve(ticket.file.getFileName());
        try {
            DurableFiles.createDirectories(dir);
            DurableFiles.move(ticket.file, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the ticket " + ticket.name() + " to " + dir, e);
        }
        ticket.file = target;
        return target;
    }

    /**
     * Where the ticket of this name is now: a stage name, {@code done}, {@code done/<folder>},
     * {@code failed/<stage>}, or empty. For a ticket of any kind (named as {@link Ticket.Kind#ofName} says).
     */
    public Optional<String> findTicket(String name) {
        requireFolderName(name);
        for (String stage : stageNames()) {
            if (Files.exists(stageDir(stage).resolve(name))) {
                return Optional.of(stage);
            }
        }
        Path done = dataDir.resolve(DONE);
        if (Files.exists(done.resolve(name))) {
            return Optional.of(DONE);
        }
        for (String folder : folders(done)) {
            if (Files.exists(done.resolve(folder).resolve(name))) {
                return Optional.of(DONE + "/" + folder);
            }
        }
        for (String stage : failedStageNames()) {
            if (Files.exists(failedDir(stage).resolve(name))) {
                return Optional.of(FAILED + "/" + stage);
            }
        }
        return Optional.empty();
    }

    /** Where the job's ticket is now: a stage name, {@code done}, {@code failed/<stage>}, or empty. */
    public Optional<String> ticketLocation(String sid) {
        requireSid(sid);
        for (String stage : stageNames()) {
            if (Files.exists(stageDir(stage).resolve(sid))) {
                return Optional.of(stage);
            }
        }
        if (Files.exists(dataDir.resolve(DONE).resolve(sid))) {
            return Optional.of(DONE);
        }
        for (String stage : failedStageNames()) {
            if (Files.exists(failedDir(stage).resolve(sid))) {
                return Optional.of(FAILED + "/" + stage);
            }
        }
        return Optional.empty();
    }

    /**
     * Removes what a crash in the middle of an upload leaves behind: partial temp uploads, and job (or
     * contribution) folders whose ticket was never written. Runs before the HTTP server accepts requests.
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
            for (String stage : stageNames()) {
                collectTickets(stageDir(stage), ticketed);
            }
            for (String stage : failedStageNames()) {
                collectTickets(failedDir(stage), ticketed);
            }
            collectTickets(dataDir.resolve(DONE), ticketed);
            for (String folder : folders(dataDir.resolve(DONE))) {
                collectTickets(dataDir.resolve(DONE).resolve(folder), ticketed);
            }
            if (Files.isDirectory(contributionsDir())) {
                try (Stream<Path> dirs = Files.list(contributionsDir())) {
                    for (Path p : (Iterable<Path>) dirs::iterator) {
                        String id = p.getFileName().toString();
                        if (!Contribution.isValidId(id) || !ticketed.contains(Ticket.contributionName(id))) {
                            DurableFiles.deleteTree(p);
                            removed.add("contributions/" + p.getFileName());
                        }
                    }
                }
            }
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
            for (String stage : stageNames()) {
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
                    .filter(name -> SubmissionId.isValid(name) || Ticket.Kind.ofName(name).orElse(null) == Ticket.Kind.CONTRIBUTION)
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

    /** What went wrong reading a JSON file, without quoting the file. */
    private static String where(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return "not valid JSON (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
        }
        return e.getClass().getSimpleName();
    }

    private static void requireFolderName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("not a folder or ticket name: " + name);
        }
    }

    private static void requireSid(String sid) {
        if (!SubmissionId.isValid(sid)) {
            throw new IllegalArgumentException("not a submission id");
        }
    }
}
