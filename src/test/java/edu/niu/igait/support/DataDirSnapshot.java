package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every file and folder under a data folder, with its size (folders: -1), so a test can say
 * "data/ is unchanged" and show what changed when it is not.
 */
public final class DataDirSnapshot {

    /** Size recorded for a folder. */
    public static final long FOLDER = -1;

    private final Path root;
    private final SortedMap<String, Long> entries;

    private DataDirSnapshot(Path root, SortedMap<String, Long> entries) {
        this.root = root;
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    public static DataDirSnapshot of(Path root) {
        SortedMap<String, Long> entries = new TreeMap<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    if (p.equals(root)) {
                        continue;
                    }
                    String rel = root.relativize(p).toString().replace('\\', '/');
                    try {
                        entries.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? FOLDER : Files.size(p));
                    } catch (NoSuchFileException gone) {
                        // deleted while we looked: not there
                    }
                }
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
                return of(root); // something vanished mid-walk: look again
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return new DataDirSnapshot(root, entries);
    }

    /** Paths relative to the root, folders ending in '/', with sizes. */
    public SortedMap<String, Long> entries() {
        return entries;
    }

    /** Regular files only, relative paths. */
    public List<String> files() {
        List<String> files = new ArrayList<>();
        entries.forEach((k, v) -> {
            if (v != FOLDER) {
                files.add(k);
            }
        });
        return files;
    }

    /** Entries below a sub-folder such as {@code uploads} or {@code jobs}, relative to the root. */
    public List<String> under(String folder) {
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        return entries.keySet().stream().filter(k -> k.startsWith(prefix) && !k.equals(prefix)).toList();
    }

    /** What differs from {@code before}: {@code + added}, {@code - removed}, {@code ~ resized}; empty if none. */
    public String diff(DataDirSnapshot before) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            Long old = before.entries.get(e.getKey());
            if (old == null) {
                out.append("+ ").append(e.getKey()).append(sizeText(e.getValue())).append('\n');
            } else if (!old.equals(e.getValue())) {
                out.append("~ ").append(e.getKey()).append(sizeText(old)).append(" ->").append(sizeText(e.getValue())).append('\n');
            }
        }
        for (Map.Entry<String, Long> e : before.entries.entrySet()) {
            if (!entries.containsKey(e.getKey())) {
                out.append("- ").append(e.getKey()).append(sizeText(e.getValue())).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Waits (up to {@code timeout}) until the folder looks as it did in this snapshot, e.g. for the
     * server to delete its temp uploads after answering; fails listing the differences otherwise.
     */
    public void awaitUnchanged(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String diff;
        while (!(diff = of(root).diff(this)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("data folder " + root + " changed:\n" + diff);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataDirSnapshot other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(root.toString()).append(":\n");
        entries.forEach((k, v) -> out.append("  ").append(k).append(sizeText(v)).append('\n'));
        return out.toString();
    }

    private static String sizeText(long size) {
        return size == FOLDER ? "" : " (" + size + " bytes)";
    }
}
