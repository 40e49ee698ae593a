package edu.niu.igait.bench;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

import edu.niu.igait.s3.S3Setup;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

/**
 * The research contributions' pipeline against the local peers (S3Proxy, GreenMail, firebase-server),
 * the service running as its own JVM as in production. Run by {@code bench/contribute}.
 *
 * <p>Contributions of two videos, one after another; for each, the time from the 202 to the status
 * {@code Stored} and to {@code Complete} (the thank-you sent) at {@code contributions/<uid>/<id>} in the
 * Realtime Database (a firebase-admin listener), and right after it the raw S3 transfer of what
 * {@code c1-store} puts (the two videos and a consent.json of the same size, PUT with the AWS SDK and the
 * service's client configuration, one after the other), so that the pipeline's overhead beyond the raw
 * PUTs can be given; then each is withdrawn, timed from the DELETE's 202 to {@code Withdrawn}.
 * Results go to stdout and to {@code docs/PERFORMANCE.md}, section {@code ## Contributions}.
 *
 * <p>Arguments (all optional, {@code name=value}): {@code jobs=10} {@code mb=20} {@code warmup=2}
 * {@code delay=500} (igait.stage.poll-delay-ms) {@code out=docs/PERFORMANCE.md} ({@code out=-}: printed only).
 */
public final class ContributionBench {

    private static final long MB = 1024 * 1024;
    /** c1-store's own log line: "contribution <id> of uid <uid>: stored in S3 with its consent record (3 objects, 40 MB, 812 ms)". */
    private static final Pattern STORED = Pattern.compile("of uid (\\S+): stored in S3 with its consent record \\(3 objects, \\d+ MB, (\\d+) ms\\)");

    private final Map<String, String> args;
    private final Path work;
    private Peers peers;
    private ServiceProcess service;
    private FirebaseApp firebaseApp;
    private FirebaseDatabase database;
    private S3Client rawS3;

    private ContributionBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.work = Files.createTempDirectory("igait-bench-contribute-");
    }

    public static void main(String[] argv) throws Exception {
        ContributionBench bench = new ContributionBench(BenchFiles.arguments(argv));
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

    /** One contribution's times in ms: 202 to Stored, 202 to Complete, the raw PUTs, DELETE's 202 to Withdrawn. */
    record Times(double toStored, double toComplete, double raw, double toWithdrawn) {
    }

    private void run() throws Exception {
        int jobs = Integer.parseInt(arg("jobs", "10"));
        long mb = Long.parseLong(arg("mb", "20"));
        int warmup = Integer.parseInt(arg("warmup", "2"));
        long delay = Long.parseLong(arg("delay", "500"));
        String out = arg("out", "docs/PERFORMANCE.md");
        String load = BenchFiles.loadAverage();

        say("starting the peers (S3Proxy, GreenMail, firebase-server) ...");
        peers = Peers.start();
        peers.applyToThisJvm();
        firebaseApp = FirebaseApp.initializeApp(FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("owner", Date.from(Instant.now().plus(Duration.ofDays(1))))))
                .setDatabaseUrl(Peers.DATABASE_URL).build(), "bench-contribute");
        database = FirebaseDatabase.getInstance(firebaseApp);
        rawS3 = new S3Setup("us-east-2", peers.s3.endpoint().toString(), true).client();
        Path front = Videos.mp4(work.resolve("front.mp4"), mb * MB);
        Path side = Videos.mp4(work.resolve("side.mp4"), mb * MB);

        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.stage.poll-delay-ms", Long.toString(delay));
        service = ServiceProcess.start(props, peers.environment(), ServiceProcess.Jvm.PLAIN).awaitHealthy();

        say(warmup + " warm-up contribution(s), then " + jobs + " of 2 x " + mb + " MB, one after another (poll delay " + delay + " ms)");
        for (int i = 0; i < warmup; i++) {
            contribution("warm-" + i, front, side);
        }
        List<Times> times = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            Times t = contribution("c-" + i, front, side);
            times.add(t);
            say(String.format(Locale.ROOT, "  %2d: 202 -> Stored %5.0f ms, -> Complete %5.0f ms; raw S3 PUTs %5.0f ms; withdrawal %5.0f ms",
                    i + 1, t.toStored, t.toComplete, t.raw, t.toWithdrawn));
        }
        List<Double> c1 = new ArrayList<>();
        Matcher m = STORED.matcher(service.logText());
        while (m.find()) {
            if (m.group(1).startsWith("c-")) {
                c1.add(Double.parseDouble(m.group(2)));
            }
        }
        String section = report(times, c1, jobs, mb, warmup, delay, load);
        System.out.println();
        System.out.println(section);
        if (!"-".equals(out)) {
            BenchFiles.writeSection(Path.of(out), "## Contributions", section);
            say("written to " + Path.of(out).toAbsolutePath());
        }
    }

    private Times contribution(String uid, Path front, Path side) throws Exception {
        // Stored and Complete may reach the listener as one change: Complete then stands for both.
        CompletableFuture<Long> stored = whenStatus(uid, "Stored", "Complete");
        CompletableFuture<Long> complete = whenStatus(uid, "Complete");
        Multipart form = new Multipart().field("uid", uid).field("name", "Bench " + uid).field("email", uid + "@example.org")
                .field("consent_study", "true").field("consent_publications", "true")
                .file("fileuploadfront", "front.mp4", front).file("fileuploadside", "side.mp4", side);
        var response = Http.post(service.uri("/api/v1/contribute"), form);
        long accepted = System.nanoTime();
        if (response.statusCode() != 202) {
            throw new IllegalStateException("contribute answered " + response.statusCode() + ": " + response.body());
        }
        String id = Http.json(response.body()).get("contributionId").asText();
        long storedAt = stored.get(120, TimeUnit.SECONDS);
        long completeAt = complete.get(120, TimeUnit.SECONDS);
        Path ticket = service.dataDir().resolve("done").resolve("contributions").resolve(id + ".contribution.json");
        awaitFile(ticket);
        String consent = consentJson(uid);
        double raw = rawPut(front, side, consent);

        CompletableFuture<Long> withdrawn = whenStatus(uid, "Withdrawn");
        var delete = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/contributions/" + id + "?uid=" + uid))
                .timeout(Duration.ofSeconds(30)).DELETE().build());
        long asked = System.nanoTime();
        if (delete.statusCode() != 202) {
            throw new IllegalStateException("withdrawal answered " + delete.statusCode() + ": " + delete.body());
        }
        long withdrawnAt = withdrawn.get(120, TimeUnit.SECONDS);
        if (!objects("research/" + uid + ";").isEmpty()) {
            throw new IllegalStateException("contribution " + id + " withdrawn but still in S3");
        }
        return new Times((storedAt - accepted) / 1e6, (completeAt - accepted) / 1e6, raw, (withdrawnAt - asked) / 1e6);
    }

    /** The contribution's consent.json as c1-store wrote it (read back, so the raw PUT sends as many bytes). */
    private String consentJson(String uid) {
        for (S3Object o : objects("research/" + uid + ";")) {
            if (o.key().endsWith("/consent.json")) {
                return rawS3.getObjectAsBytes(b -> b.bucket(Peers.BUCKET).key(o.key())).asString(StandardCharsets.UTF_8);
            }
        }
        throw new IllegalStateException("no consent.json for " + uid);
    }

    /** The raw S3 transfer of what c1-store puts: the two videos and consent.json, one after the other. */
    private double rawPut(Path front, Path side, String consent) {
        String prefix = "bench-raw/" + UUID.randomUUID() + "/";
        long t0 = System.nanoTime();
        rawS3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(prefix + "front.mp4")
                .contentLength(front.toFile().length()).build(), RequestBody.fromFile(front));
        rawS3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(prefix + "side.mp4")
                .contentLength(side.toFile().length()).build(), RequestBody.fromFile(side));
        rawS3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(prefix + "consent.json").build(),
                RequestBody.fromString(consent, StandardCharsets.UTF_8));
        double ms = (System.nanoTime() - t0) / 1e6;
        for (S3Object o : objects(prefix)) {
            rawS3.deleteObject(b -> b.bucket(Peers.BUCKET).key(o.key()));
        }
        return ms;
    }

    /** Completes with System.nanoTime() when a contribution of {@code uid} has one of the statuses {@code codes}. */
    private CompletableFuture<Long> whenStatus(String uid, String... codes) {
        List<String> wanted = List.of(codes);
        CompletableFuture<Long> result = new CompletableFuture<>();
        DatabaseReference ref = database.getReference("contributions").child(uid);
        ValueEventListener listener = new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                for (DataSnapshot contribution : snapshot.getChildren()) {
                    if (wanted.contains(contribution.child("status").child("code").getValue())) {
                        result.complete(System.nanoTime());
                    }
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

    private List<S3Object> objects(String prefix) {
        return rawS3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build()).contents();
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

    private static String report(List<Times> times, List<Double> c1, int jobs, long mb, int warmup, long delay, String load) {
        List<Double> toStored = times.stream().map(Times::toStored).toList();
        List<Double> toComplete = times.stream().map(Times::toComplete).toList();
        List<Double> raw = times.stream().map(Times::raw).toList();
        List<Double> overhead = times.stream().map(t -> t.toStored - t.raw).toList();
        List<Double> withdrawn = times.stream().map(Times::toWithdrawn).toList();
        double median = PipelineBench.median(overhead);
        StringBuilder s = new StringBuilder();
        s.append("## Contributions\n\n");
        s.append("Measured by `bench/contribute` on ").append(LocalDate.now(ZoneOffset.UTC)).append(" (commit ")
                .append(BenchFiles.commit()).append(", load average ").append(load).append(" before): ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(PipelineBench.cpuModel())
                .append(", Java ").append(System.getProperty("java.version")).append(". The service runs as its own JVM ")
                .append("(`-Xmx256m`), `igait.stage.poll-delay-ms` ").append(delay).append("; its peers are the test peers on ")
                .append("127.0.0.1 on the same machine (S3Proxy filesystem-nio2, firebase-server, GreenMail), so every figure ")
                .append("includes the peers' own CPU time on the same cores. ").append(warmup)
                .append(" warm-up contribution(s) not counted.\n\n");
        s.append("### From the 202 to `Stored` (").append(jobs).append(" contributions of two ").append(mb)
                .append(" MB videos, one after another)\n\n");
        s.append("The status is seen at `contributions/<uid>/<id>` in the Realtime Database by a firebase-admin listener. ")
                .append("Raw S3 is the PUT of what `c1-store` puts (the two videos and a `consent.json` of the same bytes) ")
                .append("with the AWS SDK (the service's client configuration), one after the other, right after each ")
                .append("contribution. Overhead = the pipeline's time to `Stored` minus the raw PUTs, per contribution ")
                .append("(median of the differences).\n\n");
        s.append("| 202 -> Stored, median (p90) | c1-store's own work, median | raw S3 PUTs (3 objects), median | overhead beyond raw S3, median | 202 -> Complete (thank-you sent), median | DELETE's 202 -> Withdrawn, median |\n");
        s.append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        s.append(String.format(Locale.ROOT, "| %.0f ms (%.0f) | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n",
                PipelineBench.median(toStored), PipelineBench.percentile(toStored, 90), PipelineBench.median(c1),
                PipelineBench.median(raw), median, PipelineBench.median(toComplete), PipelineBench.median(withdrawn)));
        s.append("\n### Reading the figures\n\n");
        s.append(String.format(Locale.ROOT, "- The contribution pipeline adds %.0f ms beyond the raw S3 PUTs (the screening's target "
                + "for its own overhead is 300 ms, [Pipeline](#pipeline)). Beyond the PUTs, `c1-store` writes the record to the "
                + "job store, checks the three sizes with HEAD, sets the status Stored (job store, then contribution.json) and "
                + "deletes the local videos. Its own work (%.0f ms, as it logs it: from taking the ticket to the videos deleted) "
                + "can exceed the client's 202 -> Stored: the intake wakes the stage as it hands the ticket on, so the stage "
                + "starts before the client has read its 202, and it logs after the status has been seen.\n",
                median, PipelineBench.median(c1)));
        s.append(String.format(Locale.ROOT, "- Per contribution the difference ranged from %.0f to %.0f ms: each transfer, the "
                + "pipeline's or the raw one, is slowed in turn by whatever else runs on the cores (the load average above); "
                + "the median of the differences is the figure to read.\n",
                overhead.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                overhead.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        s.append(String.format(Locale.ROOT, "- The thank-you follows %.0f ms after `Stored` (median of the wholes): `c2-thanks` "
                + "woken by the hand-over, the mail rendered and sent to GreenMail, noted, the status Complete.\n",
                PipelineBench.median(toComplete) - PipelineBench.median(toStored)));
        s.append("- A withdrawal (a stored contribution): its ticket kept before the 202, then `cw-withdraw` deletes the three "
                + "objects and checks them gone, mails the confirmation, replaces the record by its status and deletes the "
                + "local files.\n");
        return s.toString();
    }

    private String arg(String name, String defaultValue) {
        return args.getOrDefault(name, defaultValue);
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    private synchronized void close() {
        if (service != null) {
            service.close();
            BenchFiles.deleteTree(service.dataDir());
            service = null;
        }
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
