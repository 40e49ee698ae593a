package edu.niu.igait.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Haproxy;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ReplicaCluster;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.UploadAnswers;
import edu.niu.igait.support.UploadAnswers.Answer;
import edu.niu.igait.support.Videos;

/**
 * Replicas behind Debian's HAProxy (as the README's "Running more than one" configures it), the service
 * as plain JVMs ({@code -Xmx256m}) on the local peers. Run by {@code bench/replicas}. In one run, on the
 * same peers:
 *
 * <ol>
 * <li>The burst drain: {@code jobs} uploads at once through the balancer, to one replica and then to
 * two; the time from the first upload until every job shows {@code Processing} in the job store.</li>
 * <li>Through the balancer, two replicas: a status poll's latency, and a result's, from Metis's
 * {@code POST} to {@code Complete} in the job store.</li>
 * <li>A rolling restart of both replicas (SIGTERM, the new process on the same folder and name,
 * ready again, then the other) under a steady stream of uploads (one every {@code interval} ms): every
 * answer, and whether each accepted job reached Metis once.</li>
 * <li>A SIGKILL of one replica in a burst: the answers; while it is down, results for its jobs that
 * Metis had are posted through the balancer (the other applies them); then it starts again on its
 * folder and every accepted job reaches Metis once.</li>
 * </ol>
 *
 * <p>Arguments (all optional, {@code name=value}): {@code jobs=40} {@code kb=200} {@code interval=250}
 * {@code burstKill=30} {@code out=docs/PERFORMANCE.md} ({@code out=-}: stdout only).
 */
public final class ReplicasBench {

    private final Peers peers;
    private final Path dir;
    private final StringBuilder report = new StringBuilder();
    private final UploadAnswers uploads;

    private ReplicasBench(Peers peers, Path dir, Path video) {
        this.peers = peers;
        this.dir = dir;
        this.uploads = new UploadAnswers(video);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchFiles.arguments(argv);
        int jobs = Integer.parseInt(args.getOrDefault("jobs", "40"));
        int kb = Integer.parseInt(args.getOrDefault("kb", "200"));
        int interval = Integer.parseInt(args.getOrDefault("interval", "250"));
        int burstKill = Integer.parseInt(args.getOrDefault("burstKill", "30"));
        String out = args.getOrDefault("out", "docs/PERFORMANCE.md");
        if (!Haproxy.installed()) {
            throw new IllegalStateException(Haproxy.BINARY + " not found: apt-get install haproxy");
        }
        Path dir = Files.createTempDirectory("igait-replicas-bench-");
        try (Peers peers = Peers.start()) {
            ReplicasBench bench = new ReplicasBench(peers, dir, Videos.mp4(dir.resolve("v.mp4"), kb * 1024));
            bench.run(jobs, interval, burstKill);
            String section = "## Replicas\n\n" + "`bench/replicas`" + (argv.length == 0 ? "" : " (" + String.join(" ", argv) + ")") + ", commit " + BenchFiles.commit()
                    + ", load average before: " + BenchFiles.loadAverage() + ". Two (or one) service JVMs (`-Xmx256m`), each its own"
                    + " data folder, behind Debian's HAProxy 2.6 (round robin, readiness checks every 300 ms), on the local peers;"
                    + " on this 2-core machine, shared with other builds, two replicas share the same two cores, so the ratio shows"
                    + " the cost of coordination, not a speed-up.\n\n" + bench.report;
            System.out.println(section);
            if (!out.equals("-")) {
                BenchFiles.writeSection(Path.of(out), "## Replicas", section);
            }
        } finally {
            BenchFiles.deleteTree(dir);
        }
    }

    private void run(int jobs, int interval, int burstKill) throws Exception {
        // 1. The burst drain, one replica, then two.
        report.append("| burst of ").append(jobs).append(" uploads through the balancer | last 202 | all Processing |\n| --- | --- | --- |\n");
        for (int n : new int[] {1, 2}) {
            peers.reset();
            try (ReplicaCluster cluster = cluster(n, "drain" + n)) {
                long start = System.nanoTime();
                List<Answer> answers = burst(cluster.balancer().uri("/api/v1/upload"), "drain" + n, jobs, null);
                long lastAnswer = System.nanoTime();
                List<String> sids = accepted(answers);
                awaitAll(sids, "Processing", Duration.ofMinutes(10));
                long drained = System.nanoTime();
                report.append("| ").append(n).append(n == 1 ? " replica" : " replicas").append(" (").append(sids.size()).append(" accepted) | ")
                        .append(seconds(lastAnswer - start)).append(" | ").append(seconds(drained - start)).append(" |\n");
            }
        }
        report.append('\n');

        // 2-4 with two replicas.
        peers.reset();
        try (ReplicaCluster cluster = cluster(2, "ops")) {
            latency(cluster);
            rollingRestart(cluster, interval);
            kill(cluster, burstKill);
        }
    }

    private void latency(ReplicaCluster cluster) throws Exception {
        List<Answer> answers = burst(cluster.balancer().uri("/api/v1/upload"), "latency", 10, null);
        List<String> sids = accepted(answers);
        awaitAll(sids, "Processing", Duration.ofMinutes(5));
        List<Long> status = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String sid = sids.get(i % sids.size());
            long t = System.nanoTime();
            HttpResponse<String> r = Http.get(cluster.balancer().uri("/api/v1/submissions/" + sid));
            status.add(System.nanoTime() - t);
            check(r.statusCode() == 200, "status " + r.statusCode() + ": " + r.body());
        }
        List<Long> results = new ArrayList<>();
        for (String sid : sids) {
            JsonNode ref = ref(sid);
            long t = System.nanoTime();
            complete(cluster.balancer().uri(""), ref.get("uid").asText(), ref.get("job_id").asInt());
            awaitAll(List.of(sid), "Complete", Duration.ofMinutes(2));
            results.add(System.nanoTime() - t);
        }
        report.append("Through the balancer, two replicas: a status poll (100, of jobs on either replica) median ")
                .append(millis(percentile(status, 50))).append(", 95th percentile ").append(millis(percentile(status, 95)))
                .append("; a result, from Metis's POST to Complete in the job store (").append(results.size())
                .append(", one after another) median ").append(millis(percentile(results, 50))).append(", 95th percentile ")
                .append(millis(percentile(results, 95))).append(".\n\n");
    }

    private void rollingRestart(ReplicaCluster cluster, int interval) throws Exception {
        UploadAnswers.Stream stream = uploads.stream(cluster.balancer().uri("/api/v1/upload"), "rolling", interval);
        sleep(2000);
        List<String> restarts = new ArrayList<>();
        for (int r = 0; r < cluster.size(); r++) {
            long t = System.nanoTime();
            cluster.restart(r);
            restarts.add(cluster.name(r) + " " + seconds(System.nanoTime() - t));
            sleep(2000);
        }
        List<Answer> answers = stream.stop();
        List<String> sids = accepted(answers);
        awaitAll(sids, "Processing", Duration.ofMinutes(5));
        report.append("A rolling restart of both replicas (SIGTERM, the new JVM on the same folder, ready again: ")
                .append(String.join(", ", restarts)).append(") under one upload every ").append(interval).append(" ms through the balancer: ")
                .append(answers.size()).append(" uploads, answered ").append(tally(answers)).append("; ")
                .append(onceEach(sids)).append(".\n\n");
    }

    private void kill(ReplicaCluster cluster, int jobs) throws Exception {
        // Jobs that Metis has on the replica that will be killed, for their results to come while it is down.
        List<String> before = accepted(burst(cluster.replica(1).uri("/api/v1/upload"), "before-kill", 4, null));
        awaitAll(before, "Processing", Duration.ofMinutes(2));
        AtomicBoolean killed = new AtomicBoolean();
        List<Answer> answers = burst(cluster.balancer().uri("/api/v1/upload"), "kill", jobs, done -> {
            if (done.size() == jobs / 3 && killed.compareAndSet(false, true)) {
                cluster.kill(1);
            }
        });
        long down = System.nanoTime();
        for (String sid : before) {
            JsonNode ref = ref(sid);
            complete(cluster.balancer().uri(""), ref.get("uid").asText(), ref.get("job_id").asInt());
        }
        awaitAll(before, "Complete", Duration.ofMinutes(2));
        long applied = System.nanoTime();
        int mails = 0;
        for (String sid : before) {
            mails += peers.mailsTo(ref(sid).get("uid").asText() + "@example.org").size();
        }
        cluster.start(1);
        List<String> sids = accepted(answers);
        awaitAll(sids, "Processing", Duration.ofMinutes(5));
        report.append("SIGKILL of one replica a third into a burst of ").append(jobs).append(" uploads through the balancer: answered ")
                .append(tally(answers)).append(" (the uploads it was reading: the app sends them again); once it was back on its folder, ")
                .append(onceEach(sids)).append(". The results of ")
                .append(before.size()).append(" of its jobs that Metis had, posted through the balancer while it was down: all Complete ")
                .append(seconds(applied - down)).append(" after the kill, applied by the other, ").append(mails)
                .append(" mails to their parents (a welcome and a result each).\n");
    }

    /** N replicas (plain JVMs, as production runs them) and HAProxy in front, the run's folders under {@code dir/run}. */
    private ReplicaCluster cluster(int n, String run) {
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("igait.metis.command-timeout", "60s");
        // As in production: the balancer is a trusted proxy, its connections are not one address's.
        p.put("igait.http.trusted-proxies", "127.0.0.1/32");
        Map<String, String> env = new LinkedHashMap<>(peers.environment());
        env.put("IGAIT_ACCESS_KEY", KEY);
        return new ReplicaCluster(n, dir.resolve(run), p, env, ServiceProcess.Jvm.PLAIN);
    }

    // ---- uploads, results, the job store ----

    private List<Answer> burst(URI uri, String prefix, int n, java.util.function.Consumer<List<Answer>> each) throws Exception {
        return uploads.burst(uri, prefix, n, each);
    }

    private static List<String> accepted(List<Answer> answers) {
        return UploadAnswers.accepted(answers).stream().map(Answer::sid).toList();
    }

    private static String tally(List<Answer> answers) {
        List<String> parts = new ArrayList<>();
        UploadAnswers.tally(answers).forEach((k, v) -> parts.add(v + " " + k));
        return String.join(", ", parts);
    }

    private JsonNode ref(String sid) throws Exception {
        return Http.json(peers.firebase.get("submissions/" + sid));
    }

    private void complete(URI base, String uid, int jobId) {
        Multipart form = new Multipart().field("user_id", uid).field("job_id", Integer.toString(jobId)).field("status_code", "OK")
                .field("status_content", "0.66").field("igait_access_key", KEY);
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(base.resolve("/api/v1/completion")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", form.contentType()).POST(form.build()).build());
        check(r.statusCode() == 202, "completion answered " + r.statusCode() + ": " + r.body());
    }

    static final String KEY = "replicas-bench-access-key-0123456789";

    /** Waits until each submission's job shows {@code code} in the job store. */
    private void awaitAll(List<String> sids, String code, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Boolean> done = new ConcurrentHashMap<>();
        while (done.size() < sids.size()) {
            check(System.nanoTime() < deadline, (sids.size() - done.size()) + " of " + sids.size() + " jobs not " + code + " within " + timeout);
            JsonNode index = Http.json(peers.firebase.get("submissions"));
            JsonNode users = Http.json(peers.firebase.get("users"));
            for (String sid : sids) {
                JsonNode ref = index.path(sid);
                if (done.containsKey(sid) || !ref.has("uid")) {
                    continue;
                }
                JsonNode status = users.path(ref.get("uid").asText()).path("jobs").path(ref.get("job_id").asInt()).path("status");
                String now = status.path("code").asText();
                if (now.equals(code) || (code.equals("Processing") && now.equals("Complete"))) {
                    done.put(sid, true);
                }
            }
            sleep(200);
        }
    }

    /** Whether each accepted job is in the job store once and was sent to Metis once. */
    private String onceEach(List<String> sids) throws Exception {
        JsonNode users = Http.json(peers.firebase.get("users"));
        Map<String, Integer> qsubs = new LinkedHashMap<>();
        peers.metis.submissions().forEach(q -> qsubs.merge(q.userId(), 1, Integer::sum));
        int once = 0;
        List<String> wrong = new ArrayList<>();
        for (String sid : sids) {
            JsonNode ref = ref(sid);
            String uid = ref.get("uid").asText();
            int jobs = users.path(uid).path("jobs").size();
            int sent = qsubs.getOrDefault(uid, 0);
            if (jobs == 1 && sent == 1) {
                once++;
            } else {
                wrong.add(uid + ": " + jobs + " jobs, " + sent + " qsubs");
            }
        }
        return once + " of " + sids.size() + " accepted jobs recorded once and sent to Metis once" + (wrong.isEmpty() ? "" : " (not: " + wrong + ")");
    }

    // ---- figures ----

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
