package edu.niu.igait.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Children's data are kept no longer than needed: the local records of a job that has finished
 * (its ticket in {@code done/} or {@code failed/<stage>/}) are deleted once nothing about it has
 * changed for the retention period ({@code igait.retention.local}): its folder {@code jobs/<sid>/}
 * ({@code job.json} and any video left), its ticket, and the completion tickets Metis posted for it
 * ({@code done/5-complete/}, {@code failed/5-complete/}). A job's last change is the newest
 * modification time among those files. A job whose ticket waits in a stage folder is never touched,
 * nor is a job folder without a ticket (an upload in progress). Completion tickets of no job kept
 * here go after the same period from their own arrival, and so do the tickets of parents' history
 * requests and of withdrawals once answered or failed ({@code done/<folder>/}, {@code failed/<stage>/}).
 * A research contribution that went through its stages (or failed in one) goes the same way as a job:
 * its ticket, then its folder {@code contributions/<id>/} (its record, and any video left), once
 * neither has changed for the period.
 *
 * <p>The ticket goes first: if an operator moves it back into a stage meanwhile (to retry the job),
 * the delete finds nothing and the job is kept.
 */
public class Retention {

    private static final Logger LOG = LoggerFactory.getLogger("igait.backend");
    static final String COMPLETE_STAGE = "5-complete";

    private final JobRepository jobs;
    private final Duration keep;
    private final Clock clock;
    private final AtomicInteger sweeps = new AtomicInteger();

    public Retention(JobRepository jobs, Duration keep, Clock clock) {
        if (keep.isZero() || keep.isNegative()) {
            throw new IllegalArgumentException("retention must be positive");
        }
        this.jobs = jobs;
        this.keep = keep;
        this.clock = clock;
    }

    /** What one sweep removed. */
    public record Swept(List<String> jobs, int completionTickets, int historyTickets, List<String> contributions, int withdrawalTickets) {
    }

    /** Sweeps done so far (tests wait on it). */
    public int sweeps() {
        return sweeps.get();
    }

    /** One sweep over the data folder (the daily timer route calls it). */
    public synchronized Swept sweep() {
        Instant cutoff = clock.instant().minus(keep);
        Path data = jobs.dataDir();
        // Jobs still in the pipeline: never touched, nor their completion tickets.
        Set<String> waiting = new HashSet<>();
        Set<String> waitingKeys = new HashSet<>();
        for (String stage : jobs.stageNames()) {
            for (Path p : files(jobs.stageDir(stage))) {
                String name = p.getFileName().toString();
                if (SubmissionId.isValid(name)) {
                    waiting.add(name);
                } else if (completionKey(name) != null) {
                    waitingKeys.add(completionKey(name));
                }
            }
        }
        // Finished jobs: their ticket in done/ or failed/<stage>/.
        Map<String, Path> finished = new HashMap<>();
        Map<String, List<Path>> completions = new HashMap<>();
        for (Path p : files(data.resolve(JobRepository.DONE))) {
            ticketOrCompletion(p, finished, completions);
        }
        for (String stage : jobs.failedStageNames()) {
            for (Path p : files(jobs.failedDir(stage))) {
                ticketOrCompletion(p, finished, completions);
            }
        }
        for (Path p : files(data.resolve(JobRepository.DONE).resolve(COMPLETE_STAGE))) {
            ticketOrCompletion(p, finished, completions);
        }

        List<String> removed = new ArrayList<>();
        int completionTickets = 0;
        // Keys (uid.jobId) whose completion tickets stay because their job stays.
        Set<String> kept = new HashSet<>(waitingKeys);
        for (String sid : waiting) {
            String key = jobKey(sid);
            if (key != null) {
                kept.add(key);
            }
        }
        Set<String> removedKeys = new HashSet<>();
        for (Map.Entry<String, Path> e : finished.entrySet()) {
            String sid = e.getKey();
            Path jobDir = jobs.jobDir(sid);
            String key = jobKey(sid);
            List<Path> theirs = key == null ? List.of() : completions.getOrDefault(key, List.of());
            if (waiting.contains(sid) || kept.contains(key) || !newest(List.of(e.getValue(), jobDir), theirs).isBefore(cutoff)) {
                if (key != null) {
                    kept.add(key);
                }
                continue;
            }
            try {
                Files.delete(e.getValue());
            } catch (NoSuchFileException moved) {
                // moved back into a stage meanwhile (a retry): the job stays
                continue;
            } catch (IOException ex) {
                LOG.warn("retention: cannot delete the ticket of submission {}: {}", sid, ex.toString());
                continue;
            }
            for (Path p : theirs) {
                if (deleteQuietly(p)) {
                    completionTickets++;
                }
            }
            try {
                DurableFiles.deleteTree(jobDir);
            } catch (IOException ex) {
                LOG.warn("retention: cannot delete the folder of submission {}: {}", sid, ex.toString());
            }
            removed.add(sid);
            if (key != null) {
                removedKeys.add(key);
            }
        }
        // Completion tickets of no job kept here (an unknown job, a job folder removed by hand): by their own age.
        for (Map.Entry<String, List<Path>> e : completions.entrySet()) {
            if (kept.contains(e.getKey()) || removedKeys.contains(e.getKey())) {
                continue;
            }
            for (Path p : e.getValue()) {
                if (modified(p).isBefore(cutoff) && deleteQuietly(p)) {
                    completionTickets++;
                }
            }
        }
        // Parents' history requests (whose uid, which filters) and withdrawals, answered or failed: by their own age.
        // Research contributions with their records, by the newest change of either.
        int historyTickets = 0;
        int withdrawalTickets = 0;
        List<String> contributions = new ArrayList<>();
        for (Path root : List.of(data.resolve(JobRepository.DONE), data.resolve(JobRepository.FAILED))) {
            for (Path dir : folders(root)) {
                for (Path p : files(dir)) {
                    String name = p.getFileName().toString();
                    Ticket.Kind kind = Ticket.Kind.ofName(name).orElse(null);
                    if (kind == Ticket.Kind.HISTORY && modified(p).isBefore(cutoff) && deleteQuietly(p)) {
                        historyTickets++;
                    } else if (kind == Ticket.Kind.WITHDRAWAL && modified(p).isBefore(cutoff) && deleteQuietly(p)) {
                        withdrawalTickets++;
                    } else if (kind == Ticket.Kind.CONTRIBUTION) {
                        String id = name.substring(0, name.indexOf('.'));
                        Path folder = jobs.contributionDir(id);
                        if (newest(List.of(p, folder), List.of()).isBefore(cutoff) && deleteQuietly(p)) {
                            try {
                                DurableFiles.deleteTree(folder);
                            } catch (IOException ex) {
                                LOG.warn("retention: cannot delete the folder of contribution {}: {}", id, ex.toString());
                            }
                            contributions.add(id);
                        }
                    }
                }
            }
        }
        sweeps.incrementAndGet();
        if (!removed.isEmpty() || completionTickets > 0 || historyTickets > 0 || !contributions.isEmpty() || withdrawalTickets > 0) {
            LOG.info("retention: removed the local records of {} job(s) unchanged for {} ({}), {} completion ticket(s),"
                    + " {} history request(s), {} research contribution(s) ({}) and {} withdrawal(s)", removed.size(), keep,
                    String.join(", ", removed), completionTickets, historyTickets, contributions.size(), String.join(", ", contributions),
                    withdrawalTickets);
        }
        return new Swept(List.copyOf(removed), completionTickets, historyTickets, List.copyOf(contributions), withdrawalTickets);
    }

    /** The folders directly in a folder (no dot names). */
    private static List<Path> folders(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void ticketOrCompletion(Path p, Map<String, Path> finished, Map<String, List<Path>> completions) {
        String name = p.getFileName().toString();
        if (SubmissionId.isValid(name)) {
            finished.put(name, p);
        } else if (completionKey(name) != null) {
            completions.computeIfAbsent(completionKey(name), k -> new ArrayList<>()).add(p);
        }
    }

    /** {@code <uid>.<jobId>} of a completion ticket's name ({@code <uid>.<jobId>.<time>.<random>.json}), else null. */
    static String completionKey(String name) {
        String[] parts = name.split("\\.");
        if (parts.length != 5 || !parts[4].equals("json") || !Uid.isValid(parts[0]) || !parts[1].matches("[0-9]{1,10}")) {
            return null;
        }
        return parts[0] + "." + parts[1];
    }

    /** {@code <uid>.<jobId>} of a submission, once it has a job id; null before, or without a readable job.json. */
    private String jobKey(String sid) {
        try {
            return jobs.find(sid).filter(j -> j.uid != null && j.jobId != null).map(j -> j.uid + "." + j.jobId).orElse(null);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static Instant newest(List<Path> roots, List<Path> more) {
        Instant newest = Instant.MIN;
        List<Path> all = new ArrayList<>(roots);
        all.addAll(more);
        for (Path root : all) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> tree = Files.walk(root)) {
                for (Path p : (Iterable<Path>) tree::iterator) {
                    Instant m = modified(p);
                    if (m.isAfter(newest)) {
                        newest = m;
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // vanished meanwhile: what is left decides
            }
        }
        return newest;
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.MAX;
        }
    }

    private static boolean deleteQuietly(Path p) {
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("retention: cannot delete {}: {}", p.getFileName(), e.toString());
            return false;
        }
    }

    /** The regular files directly in a folder (no dot files: markers and temp names). */
    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
