package edu.niu.igait.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** What the Java benchmarks do with files: their section of docs/PERFORMANCE.md, and their scratch folders. */
final class BenchFiles {

    private BenchFiles() {
    }

    /**
     * Replaces the section that starts with the line {@code heading} (up to the next {@code ## } or
     * {@code # } heading) with {@code section}, or appends it; the other sections are kept as they are.
     */
    static void writeSection(Path file, String heading, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Performance\n";
        List<String> lines = new ArrayList<>(text.lines().toList());
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(heading)) {
                start = i;
                break;
            }
        }
        List<String> replacement = section.strip().lines().toList();
        if (start < 0) {
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
                lines.remove(lines.size() - 1);
            }
            lines.add("");
            lines.addAll(replacement);
        } else {
            int end = start + 1;
            while (end < lines.size() && !(lines.get(end).startsWith("## ") || lines.get(end).startsWith("# "))) {
                end++;
            }
            List<String> after = new ArrayList<>(lines.subList(end, lines.size()));
            lines = new ArrayList<>(lines.subList(0, start));
            lines.addAll(replacement);
            if (!after.isEmpty()) {
                lines.add("");
                lines.addAll(after);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** A benchmark's arguments, each {@code name=value}, in order. */
    static java.util.Map<String, String> arguments(String[] argv) {
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are name=value, got " + a);
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return args;
    }

    /** The commit the benchmark ran on, short, or {@code unknown}. */
    static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            git.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            return git.exitValue() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    /** The machine's load average over 1, 5 and 15 minutes ({@code /proc/loadavg}). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Deletes a scratch folder, best effort. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: temp files
        }
    }
}
