package edu.niu.igait.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.database.DataSnapshot;
import com.google.firebase.database.DatabaseError;
import com.google.firebase.database.DatabaseReference;
import com.google.firebase.database.FirebaseDatabase;
import com.google.firebase.database.ValueEventListener;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.bench.RawPutClient.ProcStat;
import edu.niu.igait.dev.MailServer;
import edu.niu.igait.s3.S3Setup;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

/**
 * A screening day's burst against the local peers, the service running as its own JVM ({@code -Xmx256m})
 * as in production. Run by {@code bench/burst}. For each stage-2 concurrency given, a fresh service:
 *
 * <ol>
 * <li>Single jobs: jobs of two small videos one after another; each job's time from the 202 to
 * {@code Processing} in the Realtime Database (a firebase-admin listener: as the app sees it), and right
 * after it the raw PUT of the same two files (the service's S3 client configuration, in this JVM).</li>
 * <li>The burst: {@code jobs} uploads of two videos posted at once; the time from the last 202 until the
 * last job shows {@code Processing} (the drain) and until the last welcome mail; the service's CPU time
 * from {@code /proc/<pid>/stat} while it drains, the CPU of its stage-2 threads ({@code jcmd
 * Thread.print}), its peak RSS ({@code VmHWM}).</li>
 * <li>The raw limit, in the same run: the same bytes PUT to the same S3Proxy by a JVM of its own
 * ({@link RawPutClient}, the service's S3 client configuration) with as many parallel clients as the
 * stage's concurrency (one: one after another); its wall time and CPU time.</li>
 * </ol>
 * Results go to stdout and to {@code docs/PERFORMANCE.md}, section {@code ## Burst} (other sections
 * are kept).
 *
 * <p>Arguments (all optional, {@code name=value}): {@code concurrency=1,2,4,8} (of stage 2, and of
 * stages 1, 3 and 4 unless {@code others=<n>} is given) {@code jobs=100} {@code mb=10} {@code single=10}
 * {@code singleMb=1} {@code warmup=3} {@code warmupBurst=20} {@code pollDelay=500}
 * {@code jfr=<folder>} (a flight recording of each service, profile settings) {@code out=docs/PERFORMANCE.md}
 * ({@code out=-}: stdout only).
 */
public final class BurstBench {

    private static final long MB = 1024 * 1024;
    private static final double RATIO_TARGET = 1.2;
    private static final double CPU_TARGET = 2.0;
    private static final double SINGLE_TARGET_MS = 300;
    private static final String SECTION = "## Burst";
    /** The stages whose concurrency is a property (the bench's concurrency goes to all, or {@code others=} to all but 2-store). */
    private static final List<String> STAGES = List.of("1-record", "2-store", "3-submit", "4-notify");
    /** The service's log line per job and stage, with the stage's own time: "job 0 for uid U: stored in S3 (2 files, 20 MB, 1234 ms)". */
    private static final Map<String, Pattern> STAGE_LINES = Map.of(
            "1-record", Pattern.compile("for uid (\\S+): recorded in \\w+ \\((\\d+) ms\\)"),
            "2-store", Pattern.compile("for uid (\\S+): stored in S3 \\(.*?(\\d+) ms\\)"),
            "3-submit", Pattern.compile("for uid (\\S+): submitted to Metis as \\S+ \\((\\d+) ms\\)"),
            "4-notify", Pattern.compile("for uid (\\S+): welcome mail sent \\((\\d+) ms\\)"));

    private final Map<String, String> args;
    private final Path work;
    private Peers peers;
    private ServiceProcess service;
    private FirebaseApp firebaseApp;
    private FirebaseDatabase database;
    private S3Client rawS3;

    private BurstBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.work = Files.createTempDirectory("igait-burst-");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchFiles.arguments(argv);
        BurstBench bench = new BurstBench(args);
        Thread cleanup = new Thread(bench::close, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int code = 0;
        try {
            bench.run();
        } catch (Throwable e) {
            e.printStackTrace();
            code = 1;
        } finally {
            bench.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        System.exit(code);
    }

    // ---- the run ----

    /** One service start at one concurrency: its single jobs, its burst, and the raw PUTs after it. */
    record Run(int concurrency, List<Double> singleToProcessing, List<Double> singleRaw, List<Double> singleOverhead,
               int jobs, double acceptedS, int storedBeforeLast202, double drainProcessingS, double drainMailS,
               double drainCpuS, double drainMbStored, double stage2CpuS, double peakRssMb, double rawS, double rawCpuS,
               double mbTotal, int overtaken, String loadBefore, String loadAfter, double burstCpuS,
               Map<String, Double> cpuByGroup, Map<String, Double> stageMedians, double drainQueueS) {

        double ratio() {
            return drainProcessingS / rawS;
        }

        /** The drain against the raw time of only the bytes still to be stored at the last 202. */
        double ratioOfRest() {
            return drainProcessingS / (rawS * drainMbStored / mbTotal);
        }

        double serviceCpuPerMb() {
            return drainCpuS / drainMbStored;
        }

        double stage2CpuPerMb() {
            return stage2CpuS / mbTotal;
        }

        double rawCpuPerMb() {
            return rawCpuS / mbTotal;
        }
    }

    private void run() throws Exception {
        List<Integer> levels = new ArrayList<>();
        for (String c : arg("concurrency", "1,2,4,8").split(",")) {
            levels.add(Integer.parseInt(c.trim()));
        }
        int jobs = Integer.parseInt(arg("jobs", "100"));
        long mb = Long.parseLong(arg("mb", "10"));
        int single = Integer.parseInt(arg("single", "10"));
        long singleMb = Long.parseLong(arg("singleMb", "1"));
        int warmup = Integer.parseInt(arg("warmup", "3"));
        int warmupBurst = Integer.parseInt(arg("warmupBurst", "20"));
        String out = arg("out", "docs/PERFORMANCE.md");
        String started = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atZone(ZoneOffset.UTC));

        say("starting the peers (S3Proxy, GreenMail, Metis simulator, firebase-server) ...");
        peers = Peers.start();
        peers.applyToThisJvm();
        firebaseApp = FirebaseApp.initializeApp(FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("owner", Date.from(Instant.now().plus(Duration.ofDays(1))))))
                .setDatabaseUrl(Peers.DATABASE_URL).build(), "burst");
        database = FirebaseDatabase.getInstance(firebaseApp);
        rawS3 = new S3Setup("us-east-2", peers.s3.endpoint().toString(), true).client();

        Path front = Videos.mp4(work.resolve("front.mp4"), mb * MB);
        Path side = Videos.mp4(work.resolve("side.mp4"), mb * MB);
        Path smallFront = Videos.mp4(work.resolve("front-small.mp4"), singleMb * MB);
        Path smallSide = Videos.mp4(work.resolve("side-small.mp4"), singleMb * MB);

        List<Run> runs = new ArrayList<>();
        for (int c : levels) {
            String loadBefore = BenchFiles.loadAverage();
            peers.mail.clear();
            startService(c, jobs);
            say("concurrency " + c + ": " + warmup + " warm-up job(s), then " + single + " single jobs of 2 x " + singleMb + " MB");
            for (int i = 0; i < warmup; i++) {
                singleJob("w" + c + "-" + i, smallFront, smallSide);
                rawPut(smallFront, smallSide);
            }
            List<Double> toProcessing = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Double> overhead = new ArrayList<>();
            for (int i = 0; i < single; i++) {
                double t = singleJob("s" + c + "-" + i, smallFront, smallSide);
                double r = rawPut(smallFront, smallSide);
                toProcessing.add(t);
                raw.add(r);
                overhead.add(t - r);
                say(String.format(Locale.ROOT, "  job %2d: 202 -> Processing %5.0f ms; raw S3 PUT %4.0f ms", i + 1, t, r));
            }
            if (warmupBurst > 0) {
                say("concurrency " + c + ": a warm-up burst of " + warmupBurst + " jobs (not counted: the JIT compiler's work)");
                warmBurst("wb" + c + "-", warmupBurst, front, side);
            }
            say("concurrency " + c + ": " + jobs + " jobs of 2 x " + mb + " MB posted at once");
            Run run = burst(c, jobs, mb, front, side, toProcessing, raw, overhead, loadBefore);
            runs.add(run);
            say(String.format(Locale.ROOT, "  drain %.1f s to Processing, %.1f s to the last mail; raw PUTs with %d client(s) %.1f s: "
                            + "ratio %.2f (%.2f for the bytes left at the last 202); CPU per MB: service %.3f s, stage-2 threads %.3f s, raw client %.3f s",
                    run.drainProcessingS, run.drainMailS, c, run.rawS, run.ratio(), run.ratioOfRest(), run.serviceCpuPerMb(),
                    run.stage2CpuPerMb(), run.rawCpuPerMb()));
        }

        String section = report(runs, started, jobs, mb, singleMb, warmup);
        System.out.println();
        System.out.println(section);
        if (!"-".equals(out)) {
            BenchFiles.writeSection(Path.of(out), SECTION, section);
            say("written to " + Path.of(out).toAbsolutePath());
        }
    }

    private void startService(int concurrency, int jobs) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.stage.poll-delay-ms", arg("pollDelay", "500"));
        String others = args.getOrDefault("others", Integer.toString(concurrency));
        for (String stage : STAGES) {
            props.put("igait.stage." + stage + ".concurrency", stage.equals("2-store") ? Integer.toString(concurrency) : others);
        }
        // Every client of the burst is read at once (the default, 32, answers the others 503 and they retry).
        props.put("igait.limits.concurrent-uploads", Integer.toString(Math.max(32, jobs)));
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        String jfr = args.get("jfr");
        if (jfr != null) {
            Path dir = Path.of(jfr).toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,filename="
                    + dir.resolve("burst-c" + concurrency + ".jfr") + ",dumponexit=true");
        }
        service = ServiceProcess.start(props, env, ServiceProcess.Jvm.PLAIN).awaitHealthy(Duration.ofSeconds(90));
    }

    private void stopService() {
        if (service != null) {
            service.close();
            service = null;
        }
    }

    /** Jobs posted at once, waited for until done/, not measured. */
    private void warmBurst(String prefix, int jobs, Path front, Path side) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<String>> sids = new ArrayList<>();
        try {
            for (int i = 0; i < jobs; i++) {
                String uid = prefix + i;
                sids.add(pool.submit(() -> post(uid, front, side)));
            }
            for (Future<String> sid : sids) {
                awaitFile(service.dataDir().resolve("done").resolve(sid.get(600, TimeUnit.SECONDS)), 600);
            }
        } finally {
            pool.shutdownNow();
        }
        deleteObjects(prefix);
    }

    /** One job: ms from its 202 to Processing in the Realtime Database; waits until it is done. */
    private double singleJob(String uid, Path front, Path side) throws Exception {
        CompletableFuture<Long> processing = new CompletableFuture<>();
        watchStatus(uid, (code, at) -> {
            if ("Processing".equals(code)) {
                processing.complete(at);
            }
        });
        String sid = post(uid, front, side);
        long accepted = System.nanoTime();
        long at = processing.get(120, TimeUnit.SECONDS);
        awaitFile(service.dataDir().resolve("done").resolve(sid));
        deleteObjects(uid + "/");
        return (at - accepted) / 1e6;
    }

    private Run burst(int c, int jobs, long mb, Path front, Path side, List<Double> singleToProcessing,
                      List<Double> singleRaw, List<Double> singleOverhead, String loadBefore) throws Exception {
        String prefix = "b" + c + "-";
        Map<String, Long> queued = new ConcurrentHashMap<>();
        Map<String, Long> processing = new ConcurrentHashMap<>();
        for (int i = 0; i < jobs; i++) {
            String uid = prefix + i;
            watchStatus(uid, (code, at) -> {
                if ("Queue".equals(code)) {
                    queued.putIfAbsent(uid, at);
                } else if ("Processing".equals(code)) {
                    processing.putIfAbsent(uid, at);
                    queued.putIfAbsent(uid, at);
                }
            });
        }
        long pid = service.pid();
        Map<String, Double> threadsBefore = threadCpu(pid);
        CpuSampler sampler = new CpuSampler(pid);
        sampler.start();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        long t0 = System.nanoTime();
        Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
        long lastAccepted = t0;
        try {
            List<Future<Long>> accepted = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String uid = prefix + i;
                accepted.add(pool.submit(() -> {
                    post(uid, front, side);
                    long at = System.nanoTime();
                    acceptedAt.put(uid, at);
                    return at;
                }));
            }
            for (Future<Long> f : accepted) {
                lastAccepted = Math.max(lastAccepted, f.get(600, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long stamp = lastAccepted;
        int storedBefore = (int) queued.values().stream().filter(at -> at <= stamp).count();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1200);
        long lastMail = 0;
        while (processing.size() < jobs || lastMail == 0) {
            if (lastMail == 0 && welcomeMails(prefix) >= jobs) {
                lastMail = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the burst did not drain within 1200 s: " + processing.size() + " of "
                        + jobs + " in Processing, " + welcomeMails(prefix) + " welcome mails");
            }
            Thread.sleep(10);
        }
        long lastProcessing = Collections.max(processing.values());
        long lastQueued = Collections.max(queued.values());
        sampler.stopSampling();
        double drainCpu = (sampler.cpuAt(lastProcessing) - sampler.cpuAt(lastAccepted)) / 1000.0;
        long left = queued.values().stream().filter(at -> at > stamp).count();
        long cpuBurst = ProcStat.cpuMillis(pid) - (long) sampler.cpuAt(t0);
        Map<String, Double> byGroup = grouped(threadsBefore, threadCpu(pid));
        double stage2Cpu = byGroup.values().iterator().next() / 1000;
        byGroup.forEach((g, ms) -> say(String.format(Locale.ROOT, "    %-75s %7.0f ms CPU", g, ms)));
        double peakRss = ProcStat.statusBytes(pid, "VmHWM") / 1e6;
        // How far jobs were overtaken: Processing in another order than the 202s (which is the order of arrival).
        List<String> byArrival = new ArrayList<>(acceptedAt.keySet());
        byArrival.sort((a, b) -> Long.compare(acceptedAt.get(a), acceptedAt.get(b)));
        List<String> byProcessing = new ArrayList<>(processing.keySet());
        byProcessing.sort((a, b) -> Long.compare(processing.get(a), processing.get(b)));
        int overtaken = 0;
        for (int i = 0; i < byArrival.size(); i++) {
            overtaken = Math.max(overtaken, byProcessing.indexOf(byArrival.get(i)) - i);
        }
        String log = service.logText();
        Map<String, Double> stageMedians = new LinkedHashMap<>();
        for (String stage : STAGES) {
            List<Double> times = new ArrayList<>();
            Matcher line = STAGE_LINES.get(stage).matcher(log);
            while (line.find()) {
                if (line.group(1).startsWith(prefix)) {
                    times.add(Double.parseDouble(line.group(2)));
                }
            }
            stageMedians.put(stage, median(times));
        }
        stopService();
        deleteObjects(prefix);

        say("  raw: the same bytes PUT by a JVM of its own with " + c + " client(s) ...");
        double[] raw = rawClient(front, side, jobs, c);
        deleteObjects("bench-raw/");
        return new Run(c, singleToProcessing, singleRaw, singleOverhead, jobs, (lastAccepted - t0) / 1e9, storedBefore,
                (lastProcessing - lastAccepted) / 1e9, (lastMail - lastAccepted) / 1e9, drainCpu,
                left * 2.0 * mb * MB / 1e6, stage2Cpu, peakRss, raw[0], raw[1], jobs * 2.0 * mb * MB / 1e6, overtaken,
                loadBefore, BenchFiles.loadAverage(), cpuBurst / 1000.0, byGroup, stageMedians, (lastQueued - lastAccepted) / 1e9);
    }

    private int welcomeMails(String uidPrefix) {
        int n = 0;
        for (MailServer.ReceivedMail m : peers.mail.received()) {
            if (m.envelopeTo().stream().anyMatch(to -> to.startsWith(uidPrefix) && to.endsWith("@burst.test"))) {
                n++;
            }
        }
        return n;
    }

    /** Calls back with System.nanoTime() each time users/<uid>/jobs/0/status/code changes. */
    private void watchStatus(String uid, java.util.function.BiConsumer<String, Long> onCode) {
        DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child("0").child("status").child("code");
        ref.addValueEventListener(new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                Object value = snapshot.getValue();
                if (value != null) {
                    onCode.accept(value.toString(), System.nanoTime());
                }
            }

            @Override
            public void onCancelled(DatabaseError error) {
                say("listener for " + uid + " cancelled: " + error.getMessage());
            }
        });
    }

    /** {wall s, CPU s} of the raw client, a JVM of its own. */
    private double[] rawClient(Path front, Path side, int jobs, int clients) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), RawPutClient.class.getName(),
                peers.s3.endpoint().toString(), Peers.BUCKET, "bench-raw/" + UUID.randomUUID() + "/",
                front.toString(), side.toString(), Integer.toString(jobs), Integer.toString(clients),
                Integer.toString(Math.max(4, clients))));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(peers.environment());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(1200, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("the raw client failed:\n" + output);
        }
        Matcher m = Pattern.compile("RAW wall_ms=([\\d.]+) cpu_ms=(\\d+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("the raw client said:\n" + output);
        }
        return new double[] {Double.parseDouble(m.group(1)) / 1000, Long.parseLong(m.group(2)) / 1000.0};
    }

    /** The raw S3 transfer of the same files in this JVM: two PUTs, one after the other. */
    private double rawPut(Path front, Path side) {
        String prefix = "bench-raw/" + UUID.randomUUID() + "/";
        long t0 = System.nanoTime();
        rawS3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(prefix + "front.mp4")
                .contentLength(front.toFile().length()).build(), RequestBody.fromFile(front));
        rawS3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(prefix + "side.mp4")
                .contentLength(side.toFile().length()).build(), RequestBody.fromFile(side));
        double ms = (System.nanoTime() - t0) / 1e6;
        deleteObjects(prefix);
        return ms;
    }

    private String post(String uid, Path front, Path side) {
        Multipart body = new Multipart()
                .field("uid", uid).field("age", "7").field("ethnicity", "x").field("sex", "F")
                .field("height", "4'2\"").field("weight", "55").field("email", uid + "@burst.test")
                .file("fileuploadfront", "front.mp4", front)
                .file("fileuploadside", "side.mp4", side);
        var response = Http.post(service.uri("/api/v1/upload"), body);
        if (response.statusCode() != 202) {
            throw new IllegalStateException("upload answered " + response.statusCode() + ": " + response.body());
        }
        return Http.json(response.body()).get("submissionId").asText();
    }

    private void deleteObjects(String prefix) {
        while (true) {
            List<S3Object> objects = rawS3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build())
                    .contents();
            if (objects.isEmpty()) {
                return;
            }
            for (S3Object o : objects) {
                rawS3.deleteObject(b -> b.bucket(Peers.BUCKET).key(o.key()));
            }
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        awaitFile(file, 120);
    }

    private static void awaitFile(Path file, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(file + " did not appear within " + seconds + " s");
            }
            Thread.sleep(5);
        }
    }

    /** The CPU time of each of the service's threads so far, in ms, from {@code jcmd <pid> Thread.print}. */
    private static Map<String, Double> threadCpu(long pid) {
        Map<String, Double> byThread = new LinkedHashMap<>();
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("^\"(.*)\" .*?cpu=([\\d.]+)ms", Pattern.MULTILINE).matcher(dump);
            while (m.find()) {
                byThread.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        } catch (IOException e) {
            say("jcmd failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return byThread;
    }

    /** The groups the service's threads are counted in, first match wins. */
    static final Map<String, Pattern> GROUPS = groups();

    private static Map<String, Pattern> groups() {
        Map<String, Pattern> g = new LinkedHashMap<>();
        g.put("stage 2-store (its poller and workers: tickets, job.json, S3, status)", Pattern.compile("stage 2-store"));
        g.put("stage 3-submit and the SSH client's threads", Pattern.compile("stage 3-submit|sshd-"));
        g.put("stage 1-record and the Firebase client's threads", Pattern.compile("stage 1-record|firebase|FirebaseDatabase"));
        g.put("stage 4-notify (mail)", Pattern.compile("stage 4-notify"));
        g.put("HTTP intake (Vert.x)", Pattern.compile("vert\\.x"));
        g.put("JIT compiler", Pattern.compile("Compiler"));
        g.put("GC", Pattern.compile("GC|G1"));
        g.put("other", Pattern.compile(""));
        return g;
    }

    /** CPU ms per group of threads between two snapshots (threads that ended in between are missed). */
    static Map<String, Double> grouped(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        GROUPS.keySet().forEach(k -> out.put(k, 0.0));
        after.forEach((thread, ms) -> {
            double d = ms - before.getOrDefault(thread, 0.0);
            for (Map.Entry<String, Pattern> g : GROUPS.entrySet()) {
                if (g.getValue().matcher(thread).find()) {
                    out.merge(g.getKey(), d, Double::sum);
                    break;
                }
            }
        });
        return out;
    }

    /** The service's CPU time, sampled every 20 ms, to be read at the moments the listeners saw. */
    private static final class CpuSampler extends Thread {

        private final long pid;
        private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;

        CpuSampler(long pid) {
            super("cpu-sampler");
            setDaemon(true);
            this.pid = pid;
        }

        @Override
        public void run() {
            while (running) {
                samples.add(new long[] {System.nanoTime(), ProcStat.cpuMillis(pid)});
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() throws InterruptedException {
            running = false;
            join();
            samples.add(new long[] {System.nanoTime(), ProcStat.cpuMillis(pid)});
        }

        /** CPU ms at the first sample taken at or after {@code nanos}. */
        long cpuAt(long nanos) {
            synchronized (samples) {
                for (long[] s : samples) {
                    if (s[0] >= nanos) {
                        return s[1];
                    }
                }
                return samples.get(samples.size() - 1)[1];
            }
        }
    }

    // ---- the report ----

    private String report(List<Run> runs, String started, int jobs, long mb, long singleMb, int warmup) {
        StringBuilder s = new StringBuilder();
        s.append(SECTION).append("\n\n");
        s.append("`bench/burst`, ").append(started).append(" UTC, commit ").append(BenchFiles.commit()).append(": ")
                .append(jobs).append(" uploads of two ").append(mb).append(" MiB videos posted at once, then drained, after a ")
                .append("warm-up burst of ").append(arg("warmupBurst", "20")).append(" jobs that is not counted (a fresh JVM's ")
                .append("JIT compiler otherwise takes a third of the service's CPU in the burst). ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ").append(System.getProperty("java.version"))
                .append(". The service runs as its own JVM (`-Xmx256m`, `igait.stage.poll-delay-ms` ")
                .append(arg("pollDelay", "500")).append(", `igait.limits.concurrent-uploads` ").append(Math.max(32, jobs))
                .append(" so that every client is read at once; ").append(args.containsKey("others")
                        ? "stages 1-record, 3-submit and 4-notify at concurrency " + args.get("others")
                        : "stages 1-record, 3-submit and 4-notify at the same concurrency as 2-store")
                .append(") with its peers on 127.0.0.1 on the same cores ")
                .append("(S3Proxy 4.1.0 filesystem-nio2, firebase-server, the MINA SSHD Metis simulator, GreenMail). ")
                .append("The raw limit is the same bytes PUT to the same S3Proxy, in the same run right after the burst, by a JVM ")
                .append("of its own (`RawPutClient`, the service's S3 client configuration) with as many clients as the ")
                .append("stage's concurrency, each PUTting a job's two files one after the other. `Processing` is seen in ")
                .append("the Realtime Database by firebase-admin listeners, as the app sees it.\n\n");

        s.append("| `igait.stage.2-store.concurrency` | all 202 after | stored by the last 202 | last 202 -> last `Queue` (stored) | last 202 -> last `Processing` (drain) | last 202 -> last welcome mail | raw PUTs, same bytes, P clients | drain / raw (target ≤ 1.2) | drain / raw of the bytes left at the last 202 | most places a job was overtaken (against the order of the 202s as the clients saw them) | load average before -> after |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "| %d | %.1f s | %d of %d | %.1f s | %.1f s | %.1f s | %.1f s (P = %d) | %.2f %s | %.2f %s | %d | %s -> %s |\n",
                    r.concurrency, r.acceptedS, r.storedBeforeLast202, r.jobs, r.drainQueueS, r.drainProcessingS, r.drainMailS, r.rawS,
                    r.concurrency, r.ratio(), met(r.ratio() <= RATIO_TARGET), r.ratioOfRest(), met(r.ratioOfRest() <= RATIO_TARGET),
                    r.overtaken, r.loadBefore, r.loadAfter));
        }
        s.append("\nEach stage's own time per job in the burst (from taking the ticket to its last write, as the service ")
                .append("logs it; a job waiting for a thread is not counted), medians, and the raw PUT time per job ")
                .append("(the raw run's wall time x P / jobs):\n\n");
        s.append("| `igait.stage.2-store.concurrency` | 1-record | 2-store | 3-submit | 4-notify | raw PUT per job and client |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "| %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n", r.concurrency,
                    r.stageMedians.get("1-record"), r.stageMedians.get("2-store"), r.stageMedians.get("3-submit"),
                    r.stageMedians.get("4-notify"), r.rawS * 1000 * r.concurrency / r.jobs));
        }
        s.append("\nCPU: the service's CPU time (user + system, `/proc/<pid>/stat`, all its threads, GC and JIT included) ")
                .append("from the last 202 to the last `Processing`, per MB stored in that time (stages 1, 3 and 4 run ")
                .append("meanwhile and are counted too); the CPU time of the threads named `stage 2-store` (the stage's ")
                .append("poller and workers: reading tickets and job.json, the S3 calls, the status) per MB of the whole burst ")
                .append("(`jcmd Thread.print`); the raw client's JVM (`/proc`) per MB it PUT. MB = 10^6 bytes.\n\n");
        s.append("| `igait.stage.2-store.concurrency` | service CPU per MB stored | stage-2 threads' CPU per MB | raw client CPU per MB | service / raw (target ≤ 2) | stage-2 threads / raw | peak RSS of the service (VmHWM) |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            double ratio = r.serviceCpuPerMb() / r.rawCpuPerMb();
            s.append(String.format(Locale.ROOT, "| %d | %.1f ms | %.1f ms | %.1f ms | %.2f %s | %.2f | %.0f MB |\n",
                    r.concurrency, r.serviceCpuPerMb() * 1000, r.stage2CpuPerMb() * 1000, r.rawCpuPerMb() * 1000,
                    ratio, met(ratio <= CPU_TARGET), r.stage2CpuPerMb() / r.rawCpuPerMb(), r.peakRssMb));
        }
        s.append("\nWhere the service's CPU went in the burst, from the first POST until the last welcome mail (its ")
                .append("threads' CPU time from `jcmd Thread.print` before and after, grouped by thread name), per job:\n\n");
        s.append("| `igait.stage.2-store.concurrency` | process total |");
        GROUPS.keySet().forEach(g -> s.append(' ').append(g).append(" |"));
        s.append("\n| ---: | ---: |");
        GROUPS.keySet().forEach(g -> s.append(" ---: |"));
        s.append('\n');
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "| %d | %.0f ms |", r.concurrency, r.burstCpuS * 1000 / r.jobs));
            r.cpuByGroup.values().forEach(ms -> s.append(String.format(Locale.ROOT, " %.0f ms |", ms / r.jobs)));
            s.append('\n');
        }
        s.append("\nSingle jobs of two ").append(singleMb).append(" MiB videos, one after another (").append(warmup)
                .append(" warm-up jobs first): from the 202 to `Processing`, and the raw PUT of the same two files right after ")
                .append("each (the service's S3 client configuration, in the bench's JVM); overhead = the difference, per job.\n\n");
        s.append("| `igait.stage.2-store.concurrency` | 202 -> Processing, median (p90) | raw PUT of both files, median | overhead beyond the raw PUT, median (target < 300 ms) |\n");
        s.append("| ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            double overhead = median(r.singleOverhead);
            s.append(String.format(Locale.ROOT, "| %d | %.0f ms (%.0f) | %.0f ms | %.0f ms %s |\n", r.concurrency,
                    median(r.singleToProcessing), percentile(r.singleToProcessing, 90), median(r.singleRaw), overhead,
                    met(overhead < SINGLE_TARGET_MS)));
        }
        return s.toString();
    }

    private static String met(boolean met) {
        return met ? "met" : "**missed**";
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values.stream().filter(v -> !v.isNaN()).toList());
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        if (p == 50) {
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
    // ---- housekeeping ----

    private String arg(String name, String defaultValue) {
        return args.getOrDefault(name, defaultValue);
    }

    private static void say(String line) {
        System.out.println("[burst] " + line);
        System.out.flush();
    }

    private synchronized void close() {
        stopService();
        if (rawS3 != null) {
            rawS3.close();
            rawS3 = null;
        }
        if (firebaseApp != null) {
            firebaseApp.delete();
            firebaseApp = null;
        }
        if (peers != null) {
            Path dir = peers.dir;
            peers.close();
            peers = null;
            BenchFiles.deleteTree(dir);
        }
        BenchFiles.deleteTree(work);
    }
}
