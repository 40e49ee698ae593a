package edu.niu.igait.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.database.DataSnapshot;
import com.google.firebase.database.DatabaseError;
import com.google.firebase.database.DatabaseReference;
import com.google.firebase.database.FirebaseDatabase;
import com.google.firebase.database.ValueEventListener;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.metis.MetisSsh;
import edu.niu.igait.s3.S3Setup;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

/**
 * The pipeline's figures against the local peers (S3Proxy, GreenMail, the MINA SSHD Metis,
 * firebase-server), the service running as its own JVM as in production. Run by {@code bench/pipeline}.
 *
 * <ol>
 * <li>Latency: jobs of two 20 MB videos, one after another; for each, the time from the 202 to status
 * {@code Processing} in the Realtime Database (seen by a firebase-admin listener, as the app sees it),
 * and right after it the raw S3 transfer of the same two files (PUT with the AWS SDK, the service's
 * own client configuration), so that the pipeline's overhead beyond the raw transfer can be given.</li>
 * <li>Throughput: jobs of two 5 MB videos all posted at once; jobs per minute from the first POST until
 * the last job is in {@code data/done/} (all four stages).</li>
 * </ol>
 * Each is run for every file-consumer poll delay given ({@code igait.stage.poll-delay-ms}), with a
 * fresh service per delay. Results go to stdout and to {@code docs/PERFORMANCE.md}, section
 * {@code ## Pipeline} (other sections are kept).
 *
 * <p>Arguments (all optional, {@code name=value}): {@code delays=500,100} {@code latencyJobs=20}
 * {@code latencyMb=20} {@code throughputJobs=30} {@code throughputMb=5} {@code warmup=2}
 * {@code out=docs/PERFORMANCE.md}.
 */
public final class PipelineBench {

    private static final long MB = 1024 * 1024;
    private static final double TARGET_MS = 300;

    private final Map<String, String> args;
    private final Path work;
    private Peers peers;
    private ServiceProcess service;
    private FirebaseApp firebaseApp;
    private FirebaseDatabase database;
    private S3Client rawS3;

    private PipelineBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.work = Files.createTempDirectory("igait-bench-");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchFiles.arguments(argv);
        PipelineBench bench = new PipelineBench(args);
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

    record LatencyRun(long pollDelayMs, List<Double> toProcessing, List<Double> toQueue, List<Double> queueToProcessing,
                      List<Double> raw, List<Double> overheadPaired, List<Double> record, List<Double> store,
                      List<Double> submit) {
    }

    /** The service's own log line per job and stage: "job 0 for uid U: recorded in firebase (43 ms)". */
    private static final Pattern RECORDED = Pattern.compile("for uid (\\S+): recorded in \\w+ \\((\\d+) ms\\)");
    private static final Pattern STORED = Pattern.compile("for uid (\\S+): stored in S3 \\(.*?(\\d+) ms\\)");
    private static final Pattern SUBMITTED = Pattern.compile("for uid (\\S+): submitted to Metis as \\S+ \\((\\d+) ms\\)");

    record ThroughputRun(long pollDelayMs, int jobs, long mbPerVideo, double allAcceptedS, double allDoneS,
                         double jobsPerMinute, double lastAcceptedToDoneS, double recordMs, double storeMs, double submitMs) {
    }

    private void run() throws Exception {
        List<Long> delays = new ArrayList<>();
        for (String d : arg("delays", "500,100").split(",")) {
            delays.add(Long.parseLong(d.trim()));
        }
        int latencyJobs = Integer.parseInt(arg("latencyJobs", "20"));
        long latencyMb = Long.parseLong(arg("latencyMb", "20"));
        int throughputJobs = Integer.parseInt(arg("throughputJobs", "30"));
        long throughputMb = Long.parseLong(arg("throughputMb", "5"));
        int warmup = Integer.parseInt(arg("warmup", "2"));
        Path out = Path.of(arg("out", "docs/PERFORMANCE.md"));

        say("starting the peers (S3Proxy, GreenMail, Metis simulator, firebase-server) ...");
        peers = Peers.start();
        peers.applyToThisJvm();
        firebaseApp = FirebaseApp.initializeApp(FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("owner", Date.from(Instant.now().plus(Duration.ofDays(1))))))
                .setDatabaseUrl(Peers.DATABASE_URL).build(), "bench");
        database = FirebaseDatabase.getInstance(firebaseApp);
        rawS3 = new S3Setup("us-east-2", peers.s3.endpoint().toString(), true).client();

        Path bigFront = Videos.mp4(work.resolve("front20.mp4"), latencyMb * MB);
        Path bigSide = Videos.mp4(work.resolve("side20.mp4"), latencyMb * MB);
        Path smallFront = Videos.mp4(work.resolve("front5.mp4"), throughputMb * MB);
        Path smallSide = Videos.mp4(work.resolve("side5.mp4"), throughputMb * MB);

        List<LatencyRun> latencies = new ArrayList<>();
        List<ThroughputRun> throughputs = new ArrayList<>();
        for (long delay : delays) {
            startService(delay);
            say("poll delay " + delay + " ms: " + warmup + " warm-up job(s), then " + latencyJobs + " jobs of 2 x "
                    + latencyMb + " MB, one after another");
            for (int i = 0; i < warmup; i++) {
                latencyJob("warm-" + delay + "-" + i, bigFront, bigSide);
                rawPut(bigFront, bigSide);
            }
            List<Double> toProcessing = new ArrayList<>();
            List<Double> toQueue = new ArrayList<>();
            List<Double> queueToProcessing = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Double> paired = new ArrayList<>();
            for (int i = 0; i < latencyJobs; i++) {
                double[] t = latencyJob("lat-" + delay + "-" + i, bigFront, bigSide);
                double r = rawPut(bigFront, bigSide);
                toProcessing.add(t[0]);
                toQueue.add(t[1]);
                queueToProcessing.add(t[2]);
                raw.add(r);
                paired.add(t[0] - r);
                say(String.format(Locale.ROOT, "  job %2d: 202 -> Processing %6.0f ms (202 -> Queue %5.0f, Queue -> Processing %5.0f); raw S3 PUT %5.0f ms",
                        i + 1, t[0], t[1], t[2], r));
            }
            String log = service.logText();
            List<Double> record = stageTimes(log, RECORDED, "lat-" + delay + "-");
            List<Double> store = stageTimes(log, STORED, "lat-" + delay + "-");
            List<Double> submit = stageTimes(log, SUBMITTED, "lat-" + delay + "-");
            latencies.add(new LatencyRun(delay, toProcessing, toQueue, queueToProcessing, raw, paired, record, store, submit));

            say("poll delay " + delay + " ms: " + throughputJobs + " jobs of 2 x " + throughputMb + " MB posted at once");
            throughputs.add(throughput(delay, throughputJobs, throughputMb, smallFront, smallSide));
            stopService();
        }

        say("SSH to the Metis simulator: login and qsub, the service's client settings, by key exchange");
        Map<String, double[]> ssh = new LinkedHashMap<>();
        firstKexName = firstKex();
        ssh.put("the service's (first choice " + firstKexName + ")", sshProbe(null));
        ssh.put("sntrup761x25519-sha512 only (MINA's own first choice)", sshProbe("sntrup761x25519-sha512"));
        ssh.put("curve25519-sha256 only", sshProbe("curve25519-sha256"));

        String section = report(latencies, throughputs, ssh, latencyMb, throughputMb, warmup);
        System.out.println();
        System.out.println(section);
        BenchFiles.writeSection(out, "## Pipeline", section);
        say("written to " + out.toAbsolutePath());
    }

    private void startService(long pollDelayMs) {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.stage.poll-delay-ms", Long.toString(pollDelayMs));
        service = ServiceProcess.start(props, peers.environment(), ServiceProcess.Jvm.PLAIN).awaitHealthy();
    }

    private void stopService() {
        if (service != null) {
            service.close();
            BenchFiles.deleteTree(service.dataDir());
            service = null;
        }
    }

    /** One job: {202 -> Processing, 202 -> Queue, Queue -> Processing} in ms; waits until it is done. */
    private double[] latencyJob(String uid, Path front, Path side) throws Exception {
        CompletableFuture<Long> processing = whenStatus(uid, "Processing");
        String sid = post(uid, front, side);
        long accepted = System.nanoTime();
        long processingAt = processing.get(120, TimeUnit.SECONDS);
        Path done = service.dataDir().resolve("done").resolve(sid);
        awaitFile(done);
        // The Queue step from the job's own history (same clock: this machine's).
        JsonNode job = Http.json(Files.readString(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json")));
        Instant submitted = null;
        Instant queued = null;
        Instant processed = null;
        for (JsonNode h : job.get("history")) {
            Instant at = Instant.parse(h.get("at").asText());
            switch (h.get("code").asText()) {
                case "Submitting" -> submitted = submitted == null ? at : submitted;
                case "Queue" -> queued = queued == null ? at : queued;
                case "Processing" -> processed = processed == null ? at : processed;
                default -> { }
            }
        }
        double toProcessing = (processingAt - accepted) / 1e6;
        double toQueue = Double.NaN;
        double queueToProcessing = Double.NaN;
        if (submitted != null && queued != null && processed != null) {
            // Submitting is noted just before the 202: shift by what the listener measured overall.
            double total = Duration.between(submitted, processed).toNanos() / 1e6;
            double q = Duration.between(queued, processed).toNanos() / 1e6;
            queueToProcessing = q;
            toQueue = toProcessing - q;
            if (Math.abs(total - toProcessing) > 1000) {
                say("  (note: job.json and the listener disagree by " + Math.round(total - toProcessing) + " ms)");
            }
        }
        deleteObjects(uid + "/");
        return new double[] {toProcessing, toQueue, queueToProcessing};
    }

    /** The durations the service logged for this stage, for the jobs whose uid starts with {@code prefix}. */
    private static List<Double> stageTimes(String log, Pattern line, String prefix) {
        List<Double> times = new ArrayList<>();
        Matcher m = line.matcher(log);
        while (m.find()) {
            if (m.group(1).startsWith(prefix)) {
                times.add(Double.parseDouble(m.group(2)));
            }
        }
        return times;
    }

    /** What lies between the stages: the median of the whole minus the stages' medians (medians do not add up exactly). */
    private static String between(double rest) {
        if (rest < 0) {
            return String.format(Locale.ROOT, "What lies between the stages is below what medians can separate (the stages' "
                    + "medians add up to %.0f ms more than the whole's). ", -rest);
        }
        return String.format(Locale.ROOT, "About %.0f ms of it lies between the stages: each stage wakes the next when it hands "
                + "the ticket on (the poll delay is only the fallback), so this is the ticket moves, the wake-ups and the "
                + "listener being told. ", rest);
    }

    /** The key exchange the service's client asks for first (set by the SSH probe). */
    private String firstKexName = "?";

    private String firstKex() {
        SshClient client = MetisSsh.clientBuilder(peers.knownHosts.toString(), "127.0.0.1", peers.metis.port(),
                Duration.ofSeconds(20)).build(true);
        return client.getKeyExchangeFactories().get(0).getName();
    }

    /**
     * Medians of {connect + key exchange + login, qsub} in ms over 10 sessions (after 2 unmeasured), with
     * the service's SSH client (MetisSsh), limited to one key exchange algorithm when {@code kex} is given.
     */
    private double[] sshProbe(String kex) throws Exception {
        SshClient client = MetisSsh.clientBuilder(peers.knownHosts.toString(), "127.0.0.1", peers.metis.port(),
                Duration.ofSeconds(20)).build(true);
        if (kex != null) {
            client.setKeyExchangeFactories(client.getKeyExchangeFactories().stream().filter(f -> f.getName().equals(kex)).toList());
        }
        KeyPair key = MetisSimulator.readKeyPair(peers.clientKey);
        client.start();
        List<Double> login = new ArrayList<>();
        List<Double> exec = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                long t0 = System.nanoTime();
                try (ClientSession session = client.connect("igait", "127.0.0.1", peers.metis.port()).verify(10_000).getSession()) {
                    session.addPublicKeyIdentity(key);
                    session.auth().verify(10_000);
                    long t1 = System.nanoTime();
                    try (ChannelExec channel = session.createExecChannel("qsub -v USER_ID=bench,JOB_ID=" + i + " /bench.pbs")) {
                        channel.setOut(new ByteArrayOutputStream());
                        channel.setErr(new ByteArrayOutputStream());
                        channel.open().verify(10_000);
                        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 10_000);
                    }
                    long t2 = System.nanoTime();
                    if (i >= 2) {
                        login.add((t1 - t0) / 1e6);
                        exec.add((t2 - t1) / 1e6);
                    }
                }
            }
        } finally {
            client.stop();
        }
        double[] result = {median(login), median(exec)};
        say(String.format(Locale.ROOT, "  %s: login %.0f ms, qsub %.0f ms (medians)", kex == null ? "default" : kex, result[0], result[1]));
        return result;
    }

    /** The raw S3 transfer of the same files: two PUTs, one after the other, as the pipeline does. */
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

    private ThroughputRun throughput(long delay, int jobs, long mb, Path front, Path side) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<String> sids = new ArrayList<>();
        long t0 = System.nanoTime();
        long lastAccepted;
        try {
            List<Future<Long>> accepted = new ArrayList<>();
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String uid = "tp-" + delay + "-" + i;
                CompletableFuture<String> id = new CompletableFuture<>();
                ids.add(id);
                accepted.add(pool.submit(() -> {
                    id.complete(post(uid, front, side));
                    return System.nanoTime();
                }));
            }
            lastAccepted = t0;
            for (int i = 0; i < jobs; i++) {
                lastAccepted = Math.max(lastAccepted, accepted.get(i).get(300, TimeUnit.SECONDS));
                sids.add(ids.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        Path doneDir = service.dataDir().resolve("done");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (!sids.stream().allMatch(s -> Files.exists(doneDir.resolve(s)))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the throughput jobs did not finish within 600 s");
            }
            Thread.sleep(10);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            deleteObjects("tp-" + delay + "-" + i + "/");
        }
        double allDone = (t1 - t0) / 1e9;
        String log = service.logText();
        String prefix = "tp-" + delay + "-";
        ThroughputRun run = new ThroughputRun(delay, jobs, mb, (lastAccepted - t0) / 1e9, allDone, jobs / allDone * 60,
                (t1 - lastAccepted) / 1e9, median(stageTimes(log, RECORDED, prefix)), median(stageTimes(log, STORED, prefix)),
                median(stageTimes(log, SUBMITTED, prefix)));
        say(String.format(Locale.ROOT, "  all %d accepted after %.1f s, all done after %.1f s: %.0f jobs/min",
                jobs, run.allAcceptedS, run.allDoneS, run.jobsPerMinute));
        return run;
    }

    private String post(String uid, Path front, Path side) {
        Multipart body = new Multipart()
                .field("uid", uid).field("age", "7").field("ethnicity", "x").field("sex", "F")
                .field("height", "4'2\"").field("weight", "55").field("email", uid + "@example.org")
                .file("fileuploadfront", "front.mp4", front)
                .file("fileuploadside", "side.mp4", side);
        var response = Http.post(service.uri("/api/v1/upload"), body);
        if (response.statusCode() != 202) {
            throw new IllegalStateException("upload answered " + response.statusCode() + ": " + response.body());
        }
        return Http.json(response.body()).get("submissionId").asText();
    }

    /** Completes with System.nanoTime() when users/<uid>/jobs/0/status/code becomes {@code code}. */
    private CompletableFuture<Long> whenStatus(String uid, String code) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child("0").child("status").child("code");
        ValueEventListener listener = new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                if (code.equals(snapshot.getValue())) {
                    result.complete(System.nanoTime());
                }
            }

            @Override
            public void onCancelled(DatabaseError error) {
                result.completeExceptionally(error.toException());
            }
        };
        ref.addValueEventListener(listener);
        result.whenComplete((t, e) -> ref.removeEventListener(listener));
        return result;
    }

    private void deleteObjects(String prefix) {
        List<S3Object> objects = rawS3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build()).contents();
        for (S3Object o : objects) {
            rawS3.deleteObject(b -> b.bucket(Peers.BUCKET).key(o.key()));
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(file + " did not appear within 120 s");
            }
            Thread.sleep(5);
        }
    }

    // ---- the report ----

    private String report(List<LatencyRun> latencies, List<ThroughputRun> throughputs, Map<String, double[]> ssh,
                          long latencyMb, long throughputMb, int warmup) {
        StringBuilder s = new StringBuilder();
        s.append("## Pipeline\n\n");
        s.append("Measured by `bench/pipeline` on ").append(LocalDate.now(ZoneOffset.UTC)).append(": ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpuModel()).append(", Java ")
                .append(System.getProperty("java.version")).append(". The service runs as its own JVM (`-Xmx256m`), as in ")
                .append("production; its peers are the test peers on 127.0.0.1 on the same machine (S3Proxy 4.1.0 ")
                .append("filesystem-nio2, firebase-server, the MINA SSHD Metis simulator, GreenMail), so every figure ")
                .append("includes the peers' own CPU time on the same cores. ")
                .append(warmup).append(" warm-up job(s) per service start are not counted.\n\n");

        s.append("### From the 202 to `Processing` (").append(latencies.isEmpty() ? 0 : latencies.get(0).toProcessing.size())
                .append(" jobs of two ").append(latencyMb).append(" MB videos, one after another)\n\n");
        s.append("`Processing` is seen in the Realtime Database by a firebase-admin listener, as the app sees it. ")
                .append("Raw S3 is the PUT of the same two files with the AWS SDK (the service's client configuration), ")
                .append("one after the other, measured right after each job. Overhead = the pipeline's time minus the ")
                .append("raw transfer, per job (median of the differences).\n\n");
        s.append("| igait.stage.poll-delay-ms | 202 -> Processing, median (p90) | 202 -> Queue (stages 1-2), median | Queue -> Processing (stage 3), median | raw S3 PUT of both files, median | overhead beyond raw S3, median | target < 300 ms |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: | :---: |\n");
        for (LatencyRun r : latencies) {
            double overhead = median(r.overheadPaired);
            s.append(String.format(Locale.ROOT, "| %d | %.0f ms (%.0f) | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %s |\n",
                    r.pollDelayMs, median(r.toProcessing), percentile(r.toProcessing, 90), median(r.toQueue),
                    median(r.queueToProcessing), median(r.raw), overhead, overhead < TARGET_MS ? "met" : "**missed**"));
        }
        s.append("\nWhere the time goes: each stage's own work as the service logs it (from the stage taking the ")
                .append("ticket to its last write), and the rest: moving the ticket, waking the next stage (or, as a ")
                .append("fallback, its next poll), and the listener being told.\n\n");
        s.append("| igait.stage.poll-delay-ms | 1-record (Firebase transaction, job.json), median | 2-store (3 PUTs, 2 HEADs, status Queue), median | 3-submit (SSH login + qsub, status Processing), median | the rest: polls, moves, notification |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencyRun r : latencies) {
            double work = median(r.record) + median(r.store) + median(r.submit);
            s.append(String.format(Locale.ROOT, "| %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n",
                    r.pollDelayMs, median(r.record), median(r.store), median(r.submit), median(r.toProcessing) - work));
        }
        s.append("\n### Throughput (").append(throughputs.isEmpty() ? 0 : throughputs.get(0).jobs)
                .append(" jobs of two ").append(throughputMb).append(" MB videos posted at once)\n\n");
        s.append("From the first POST until the last job is in `data/done/` (all four stages: Firebase, S3, Metis, ")
                .append("welcome mail).\n\n");
        s.append("| igait.stage.poll-delay-ms | all accepted (202) after | all done after | jobs per minute | last 202 -> all done | per job: 1-record / 2-store / 3-submit, medians |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (ThroughputRun r : throughputs) {
            s.append(String.format(Locale.ROOT, "| %d | %.1f s | %.1f s | %.0f | %.1f s | %.0f / %.0f / %.0f ms |\n",
                    r.pollDelayMs, r.allAcceptedS, r.allDoneS, r.jobsPerMinute, r.lastAcceptedToDoneS,
                    r.recordMs, r.storeMs, r.submitMs));
        }
        s.append("\n### SSH to Metis, one session per qsub\n\n");
        s.append("camel-ssh opens a new session for every command. Its cost with the service's SSH client ")
                .append("(`MetisSsh`) against the simulator, 10 sessions each; the simulator is Java too, so the server's ")
                .append("half of the key exchange is on these cores as well (OpenSSH on Metis does it in C).\n\n");
        s.append("| key exchange | connect + key exchange + login, median | qsub (exec channel), median |\n");
        s.append("| --- | ---: | ---: |\n");
        ssh.forEach((kex, t) -> s.append(String.format(Locale.ROOT, "| %s | %.0f ms | %.0f ms |\n", kex, t[0], t[1])));
        s.append("\n### Reading the figures\n\n");
        for (LatencyRun r : latencies) {
            double overhead = median(r.overheadPaired);
            double rest = median(r.toProcessing) - median(r.record) - median(r.store) - median(r.submit);
            s.append(String.format(Locale.ROOT, "- Poll delay %d ms: the pipeline adds %.0f ms beyond the raw S3 transfer, "
                            + "the target of 300 ms is %s. %s"
                            + "Stage 3 takes %.0f ms, mostly the new SSH session; stage 2 takes %.0f ms against %.0f ms "
                            + "for the raw PUTs (it also PUTs `extensions.json`, checks both sizes with HEAD, writes the "
                            + "status Queue and job.json).\n",
                    r.pollDelayMs, overhead, overhead < TARGET_MS ? "met" : "**missed**", between(rest),
                    median(r.submit), median(r.store), median(r.raw)));
        }
        double[] defaultKex = ssh.values().stream().findFirst().orElse(new double[] {Double.NaN, Double.NaN});
        double[] sntrup = ssh.values().stream().skip(1).findFirst().orElse(new double[] {Double.NaN, Double.NaN});
        double[] curve = ssh.values().stream().skip(2).findFirst().orElse(new double[] {Double.NaN, Double.NaN});
        s.append(String.format(Locale.ROOT, "- SSH: the client asks for %s first (a post-quantum hybrid, like MINA's own first "
                + "choice sntrup761x25519, both computed in Java): a login costs %.0f ms here, against %.0f ms with sntrup761x25519 "
                + "and %.0f ms with curve25519-sha256, which is not post-quantum (the simulator's half included; against OpenSSH on "
                + "Metis only the client's half is Java, and an OpenSSH before 9.9 has no ML-KEM: the client then gets sntrup761).\n",
                firstKexName, defaultKex[0], sntrup[0], curve[0]));
        s.append("- What would cut it further: one SSH session for several qsubs (camel-ssh opens one per command); ")
                .append("uploading front and side in parallel. Neither is changed by this benchmark.\n");
        for (ThroughputRun r : throughputs) {
            String slowest = r.storeMs >= r.submitMs && r.storeMs >= r.recordMs ? "2-store (S3)"
                    : r.submitMs >= r.recordMs ? "3-submit (SSH)" : "1-record (Firebase)";
            s.append(String.format(Locale.ROOT, "- Throughput at poll delay %d ms: each stage takes its tickets one after "
                    + "another, so once jobs queue up the slowest stage sets the pace: %s, %.0f ms per job "
                    + "(at most about %.0f jobs per minute).\n", r.pollDelayMs, slowest, Math.max(r.storeMs, Math.max(r.submitMs, r.recordMs)),
                    60_000 / Math.max(r.storeMs, Math.max(r.submitMs, r.recordMs))));
        }
        return s.toString();
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

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | UncheckedIOException e) {
            return ManagementFactory.getOperatingSystemMXBean().getArch();
        }
    }
    // ---- housekeeping ----

    private String arg(String name, String defaultValue) {
        return args.getOrDefault(name, defaultValue);
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
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
