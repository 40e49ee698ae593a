package edu.niu.igait.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import edu.niu.igait.s3.S3Setup;

/**
 * The raw limit for {@code bench/burst}: the same bytes PUT to the same S3 server by a JVM of its own
 * (so that its CPU can be read from {@code /proc} like the service's), with the service's S3 client
 * configuration ({@link S3Setup}), {@code clients} threads taking the jobs in turn, each PUTting a
 * job's front and side one after the other. A warm-up of a few jobs runs first and is not counted.
 *
 * <pre>java ... RawPutClient endpoint bucket prefix front side jobs clients warmupJobs</pre>
 * Prints one line: {@code RAW wall_ms=<ms> cpu_ms=<user+system ms> bytes=<n>}.
 */
public final class RawPutClient {

    private RawPutClient() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String bucket = args[1];
        String prefix = args[2];
        Path front = Path.of(args[3]);
        Path side = Path.of(args[4]);
        int jobs = Integer.parseInt(args[5]);
        int clients = Integer.parseInt(args[6]);
        int warmup = Integer.parseInt(args[7]);
        long bytes = Files.size(front) + Files.size(side);
        try (S3Client s3 = new S3Setup("us-east-2", endpoint, true).client()) {
            put(s3, bucket, prefix + "warmup-", front, side, warmup, clients);
            long cpu0 = cpuMillis();
            long t0 = System.nanoTime();
            put(s3, bucket, prefix, front, side, jobs, clients);
            long wall = System.nanoTime() - t0;
            long cpu = cpuMillis() - cpu0;
            System.out.printf(Locale.ROOT, "RAW wall_ms=%.1f cpu_ms=%d bytes=%d%n", wall / 1e6, cpu, bytes * jobs);
        }
        System.exit(0);
    }

    private static void put(S3Client s3, String bucket, String prefix, Path front, Path side, int jobs, int clients)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    for (int job = next.getAndIncrement(); job < jobs; job = next.getAndIncrement()) {
                        String key = prefix + job + "/";
                        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key + "front.mp4")
                                .contentLength(front.toFile().length()).build(), RequestBody.fromFile(front));
                        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key + "side.mp4")
                                .contentLength(side.toFile().length()).build(), RequestBody.fromFile(side));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** This process's user + system CPU time so far, from /proc/self/stat. */
    static long cpuMillis() {
        return ProcStat.cpuMillis(ProcessHandle.current().pid());
    }

    /** CPU time and memory of a process from /proc (Linux). */
    static final class ProcStat {

        private static final long TICKS_PER_SECOND = 100;

        private ProcStat() {
        }

        /** utime + stime of the process (all its threads, those that ended included), in ms. */
        static long cpuMillis(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // The command name may hold spaces and parentheses: the fields start after the last ')'.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                // f[0] is field 3 (state): utime is field 14, stime field 15.
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                return ticks * 1000 / TICKS_PER_SECOND;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/" + pid + "/stat", e);
            }
        }

        /** A {@code kB} line of /proc/<pid>/status ({@code VmRSS}, {@code VmHWM}), in bytes; -1 if missing. */
        static long statusBytes(long pid, String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim()) * 1024;
                    }
                }
                return -1;
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
