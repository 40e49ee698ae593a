package edu.niu.igait.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.ServiceProcess;

/**
 * The soak: good uploads and completions, signed in as in production, while every attack of issue 17
 * runs beside them, for {@code minutes} (10 by default), the service as its own JVM ({@code -Xmx256m})
 * with its default caps and deadlines. Run by {@code bench/soak}.
 *
 * <p>The attackers, at once and for the whole run: completions whose client hangs up after the headers;
 * uploads (7 accounts) closed after the headers or half-way through the body; uploads trickling a byte a
 * second; completions trickling a byte a second; request heads a byte a second; 80 idle connections from
 * one address; 500 half-line connections from as many addresses, each opened again as the service closes
 * it. The attackers use two addresses (as the issue's: 7 accounts, 2 addresses), except the half-line
 * flood; the good clients four others. What a good client must see: every upload {@code 202}, every
 * completion {@code 202}. What the service must show: its resident memory, threads and file descriptors
 * flat over the run (sampled every {@code sample} seconds from {@code /proc/<pid>}), and, once the
 * attacks stop and their deadlines pass, nothing held (connections, slots, worker threads, upload memory,
 * partial uploads).
 *
 * <p>Arguments (all optional, {@code name=value}): {@code minutes=10} (or {@code seconds=}),
 * {@code sample=10} (seconds), {@code good=4} (good clients), {@code out=docs/PERFORMANCE.md}
 * ({@code out=-}: stdout only). Results go to stdout and to the section {@code ## Soak}.
 */
public final class SoakBench {

    private static final String SECTION = "## Soak";
    private static final String KEY = "soak-bench-access-key-0123456789abcdef";
    private static final String[] ATTACKERS = {"127.66.0.1", "127.66.0.2"};
    private static final int ACCOUNTS = 7;
    /** Worth one header time-out and one rate window of the defaults, and a little more: then nothing is held. */
    private static final Duration SETTLE = Duration.ofSeconds(45);
    /** An upload form without a uid: a signed-in upload's is its token's. */
    private static final byte[] SIGNED_IN_BODY = Hostile.uploadBody(null, "parent@example.org");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)$");

    private final Map<String, String> args;
    private final Path work;
    private KeyServer keys;
    private ServiceProcess service;
    private volatile boolean attacking = true;
    private volatile boolean serving = true;
    private final List<Thread> threads = new ArrayList<>();

    /** What each kind of client was answered: kind to status to count (-1: closed without an answer). */
    private final Map<String, Map<Integer, AtomicInteger>> answers = new ConcurrentHashMap<>();
    private final List<Long> goodUploadMs = new CopyOnWriteArrayList<>();
    private final AtomicLong lastGoodFailure = new AtomicLong();
    private final List<String> goodFailures = new CopyOnWriteArrayList<>();

    private record Sample(long seconds, long rssKb, int threads, int fds, double connections, double uploads, double workersBusy,
                          long livenessMs, int goodUploads) {
    }

    private SoakBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.work = Files.createTempDirectory("igait-soak-");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchFiles.arguments(argv);
        SoakBench bench = new SoakBench(args);
        Thread cleanup = new Thread(bench::close, "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int code = 0;
        try {
            code = bench.run() ? 0 : 3;
        } catch (Throwable e) {
            e.printStackTrace();
            code = 1;
        } finally {
            bench.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        System.exit(code);
    }

    private boolean run() throws Exception {
        Duration length = args.containsKey("seconds") ? Duration.ofSeconds(Long.parseLong(args.get("seconds")))
                : Duration.ofMinutes(Long.parseLong(args.getOrDefault("minutes", "10")));
        long sampleEvery = Long.parseLong(args.getOrDefault("sample", "10"));
        int good = Integer.parseInt(args.getOrDefault("good", "4"));
        String started = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).format(Instant.now().atZone(ZoneOffset.UTC));
        String loadBefore = BenchFiles.loadAverage();

        keys = KeyServer.start();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("igait.data-dir", work.resolve("data").toString());
        props.put("igait.auth.mode", "firebase");
        props.put("igait.auth.project-id", KeyServer.PROJECT);
        props.put("igait.auth.keys-url", keys.url());
        props.put("igait.access-key", KEY);
        // The soak is about what clients hold, not about the upload windows: wide, for good and bad alike.
        props.put("igait.limits.per-user", "1000000/1h");
        props.put("igait.limits.per-address", "1000000/1h");
        // The caps on uploads at once are: the production defaults (the test harness widens them).
        props.put("igait.limits.concurrent-uploads-per-user", "2");
        props.put("igait.limits.concurrent-uploads-per-address", "8");
        service = ServiceProcess.start(props).awaitHealthy(Duration.ofSeconds(90));
        say("service pid " + service.pid() + " on port " + service.port() + "; " + length.toMinutes() + " min "
                + length.toSecondsPart() + " s of good uploads among the attacks; load average " + loadBefore);

        // Warm-up (JIT, pools): good uploads only, not counted.
        for (int i = 0; i < 20; i++) {
            goodUpload("127.10.0.100", token("good-warmup"), false);
        }

        for (int i = 0; i < good; i++) {
            int n = i;
            spawn("good-" + n, () -> goodClient(n));
        }
        spawnLoop("completion hung up after its headers", 2, k -> hangUp(ATTACKERS[k % 2], Hostile.head("POST /api/v1/completion HTTP/1.1",
                "Content-Type: application/x-www-form-urlencoded", "Content-Length: 100"), new byte[0], 0, 50));
        spawnLoop("upload closed after its headers or half-way", 2, k -> {
            byte[] body = SIGNED_IN_BODY;
            hangUp(ATTACKERS[k % 2], Hostile.uploadHead(body.length, token("attacker-" + k % ACCOUNTS)), body,
                    k % 2 == 0 ? 0 : body.length / 2, 100);
        });
        spawnLoop("upload trickling a byte a second", 16, k -> trickle("upload trickling a byte a second", ATTACKERS[k % 2],
                uploadHead("attacker-" + k % ACCOUNTS), SIGNED_IN_BODY, 1024));
        spawnLoop("completion trickling a byte a second", 2, k -> {
            String form = "user_id=a&job_id=1&status_code=OK&status_content=0.5&igait_access_key=" + KEY;
            trickle("completion trickling a byte a second", ATTACKERS[k % 2], Hostile.head("POST /api/v1/completion HTTP/1.1",
                    "Content-Type: application/x-www-form-urlencoded", "Content-Length: " + form.length()),
                    form.getBytes(StandardCharsets.US_ASCII), 0);
        });
        spawnLoop("request head trickling a byte a second", 4, k -> trickle("request head trickling a byte a second", ATTACKERS[k % 2],
                new byte[0], Hostile.head("GET /api/v1/health HTTP/1.1", "X-Padding: " + "p".repeat(60)), 0));
        spawn("idle connections from one address", () -> hold("idle connections from one address", 80, i -> ATTACKERS[0], false));
        spawn("half-line connections from many addresses", () -> hold("half-line connections from many addresses", 500,
                i -> "127.70." + (i / 250 % 250) + "." + (1 + i % 250), true));

        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        samples.add(sample(t0));
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(sampleEvery * 1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            Sample s = sample(t0);
            samples.add(s);
            say(String.format(Locale.ROOT, "%4d s: RSS %d MB, %d threads, %d fds, %.0f connections, %.0f uploads in progress,"
                    + " %.0f workers busy, liveness %d ms, %d good uploads", s.seconds, s.rssKb / 1024, s.threads, s.fds,
                    s.connections, s.uploads, s.workersBusy, s.livenessMs, s.goodUploads));
        }
        attacking = false;
        serving = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        // The attackers are gone; what they held comes back within the deadlines.
        Thread.sleep(SETTLE.toMillis());
        Sample after = sample(t0);
        Map<String, Double> metrics = metrics();
        long partials;
        try (Stream<Path> left = Files.list(service.dataDir().resolve("uploads"))) {
            partials = left.count();
        }
        String loadAfter = BenchFiles.loadAverage();
        String report = report(started, length, loadBefore, loadAfter, samples, after, metrics, partials);
        System.out.println(report);
        String out = args.getOrDefault("out", "docs/PERFORMANCE.md");
        if (!out.equals("-")) {
            BenchFiles.writeSection(Path.of(out), SECTION, report);
            say("written to " + out + ", section " + SECTION);
        }
        return goodFailures.isEmpty();
    }

    // ---- good clients ----

    private void goodClient(int n) {
        String from = "127.10.0." + (1 + n);
        String token = token("good-" + n);
        for (int i = 0; serving; i++) {
            goodUpload(from, token, true);
            if (i % 10 == 9) {
                count("good completion", exchange(from, Hostile.completion(KEY, i)));
            }
            pause(250);
        }
    }

    private void goodUpload(String from, String token, boolean counted) {
        byte[] body = SIGNED_IN_BODY;
        long t = System.nanoTime();
        int status;
        String answer;
        try {
            RawHttp.Response r = Hostile.exchange(from, service.port(), Hostile.concat(Hostile.uploadHead(body.length, token), body),
                    30_000);
            status = r.status();
            answer = r.body();
        } catch (RuntimeException | AssertionError e) {
            status = -1;
            answer = e.toString();
        }
        if (!counted) {
            return;
        }
        count("good upload", status);
        if (status == 202) {
            goodUploadMs.add((System.nanoTime() - t) / 1_000_000);
            // Room for the next ones: no stage takes the job in this run.
            String sid = answer.replaceAll(".*\"submissionId\":\"([^\"]+)\".*", "$1");
            BenchFiles.deleteTree(service.dataDir().resolve("jobs").resolve(sid));
            BenchFiles.deleteTree(service.dataDir().resolve("stages").resolve("1-record").resolve(sid));
        } else {
            lastGoodFailure.set(System.nanoTime());
            goodFailures.add(status + " " + answer);
            say("a good upload was answered " + status + ": " + answer);
        }
    }

    private String token(String uid) {
        return "Authorization: Bearer " + keys.token(uid);
    }

    private byte[] uploadHead(String uid) {
        return Hostile.uploadHead(SIGNED_IN_BODY.length, token(uid));
    }

    private int exchange(String from, byte[] request) {
        try {
            return Hostile.exchange(from, service.port(), request, 30_000).status();
        } catch (RuntimeException | AssertionError e) {
            return -1;
        }
    }

    // ---- attackers ----

    /** Sends the head and the first {@code bodyBytes} of {@code body}, then closes without reading; then waits {@code pauseMs}. */
    private void hangUp(String from, byte[] head, byte[] body, int bodyBytes, long pauseMs) {
        try (Socket socket = Hostile.connect(from, service.port())) {
            socket.getOutputStream().write(head);
            socket.getOutputStream().write(body, 0, bodyBytes);
            socket.getOutputStream().flush();
        } catch (IOException | RuntimeException e) {
            // refused at accept: the cap's answer
        }
        pause(pauseMs);
    }

    /** Sends {@code head} and {@code quick} bytes of {@code body}, then a byte a second, until answered or closed. */
    private void trickle(String kind, String from, byte[] head, byte[] body, int quick) {
        int status = -1;
        try (Socket socket = Hostile.connect(from, service.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head);
            out.write(body, 0, Math.min(quick, body.length));
            out.flush();
            for (int at = quick; attacking; at++) {
                Thread.sleep(1000);
                if (in.available() > 0) {
                    status = RawHttp.read(in).status();
                    break;
                }
                out.write(body[at % body.length]);
                out.flush();
            }
            if (status == -1 && attacking) {
                socket.setSoTimeout(5000);
                status = RawHttp.read(in).status();
            }
        } catch (IOException | RuntimeException e) {
            status = -1;
        } catch (InterruptedException e) {
            return;
        }
        if (attacking) {
            count(kind, status);
        }
    }

    /** Keeps {@code n} connections open from {@code from(i)} (each sending half a request line, or nothing), opening again what closes. */
    private void hold(String kind, int n, java.util.function.IntFunction<String> from, boolean halfLine) {
        Socket[] sockets = new Socket[n];
        try {
            while (attacking) {
                for (int i = 0; i < n && attacking; i++) {
                    if (sockets[i] != null && !closedByPeer(sockets[i])) {
                        continue;
                    }
                    if (sockets[i] != null) {
                        close(sockets[i]);
                        count(kind, -1);
                    }
                    try {
                        sockets[i] = Hostile.connect(from.apply(i), service.port());
                        if (halfLine) {
                            sockets[i].getOutputStream().write("GET /api/v1/hea".getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (IOException | RuntimeException e) {
                        sockets[i] = null;
                    }
                }
                pause(1000);
            }
        } finally {
            for (Socket s : sockets) {
                close(s);
            }
        }
    }

    private static boolean closedByPeer(Socket s) {
        try {
            s.setSoTimeout(1);
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void close(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void spawnLoop(String kind, int copies, IntConsumer attack) {
        for (int c = 0; c < copies; c++) {
            int copy = c;
            spawn(kind + " " + c, () -> {
                for (int k = copy; attacking; k += copies) {
                    attack.accept(k);
                }
            });
        }
    }

    private void spawn(String name, Runnable body) {
        Thread t = new Thread(body, "soak " + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void count(String kind, int status) {
        answers.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- samples ----

    private Sample sample(long t0) throws IOException {
        long pid = service.pid();
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        int fds;
        try (Stream<Path> list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = (int) list.count();
        }
        long t = System.nanoTime();
        long livenessMs;
        try {
            HttpResponse<String> live = Http.send(HttpRequest.newBuilder(service.managementUri("/observe/health/live"))
                    .timeout(Duration.ofSeconds(10)).build());
            livenessMs = live.statusCode() == 200 ? (System.nanoTime() - t) / 1_000_000 : -1;
        } catch (RuntimeException e) {
            livenessMs = -1;
        }
        Map<String, Double> m = metrics();
        return new Sample((System.nanoTime() - t0) / 1_000_000_000L, Long.parseLong(status.get("VmRSS").split("\\s+")[0]),
                Integer.parseInt(status.get("Threads")), fds, m.getOrDefault("igait_http_connections", Double.NaN),
                m.getOrDefault("igait_uploads_in_progress", Double.NaN), m.getOrDefault("igait_http_workers_busy", Double.NaN),
                livenessMs, goodUploadMs.size());
    }

    private Map<String, Double> metrics() {
        Map<String, Double> samples = new TreeMap<>();
        try {
            String text = Http.send(HttpRequest.newBuilder(service.managementUri("/observe/metrics")).timeout(Duration.ofSeconds(10))
                    .build()).body();
            for (String line : text.split("\n")) {
                Matcher m = SAMPLE.matcher(line.trim());
                if (!line.startsWith("#") && m.matches()) {
                    samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
                }
            }
        } catch (RuntimeException e) {
            say("the metrics did not answer: " + e);
        }
        return samples;
    }

    // ---- the report ----

    private String report(String started, Duration length, String loadBefore, String loadAfter, List<Sample> samples, Sample after,
                          Map<String, Double> metrics, long partials) {
        StringBuilder s = new StringBuilder(SECTION).append("\n\n");
        s.append("`bench/soak`, ").append(started).append(" UTC, commit ").append(BenchFiles.commit()).append(", ")
                .append(length.toMinutes()).append(" min").append(length.toSecondsPart() > 0 ? " " + length.toSecondsPart() + " s" : "")
                .append("; load average ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after (2 cores, shared with other builds). The service as its own JVM (`-Xmx256m`), signed in as in")
                .append(" production, its default caps and deadlines (the upload windows wide: not what this is about).")
                .append(" Good clients (four addresses) upload two 100 kB videos one after another, and post a completion")
                .append(" every tenth time, while from two addresses (seven accounts) completions and uploads hang up after their")
                .append(" headers or half-way, uploads, completions and request heads trickle a byte a second, 80 idle")
                .append(" connections are held from one address and 500 half-line ones from as many addresses, each opened")
                .append(" again as the service closes it.\n\n");

        Map<Integer, AtomicInteger> good = answers.getOrDefault("good upload", Map.of());
        int goodTotal = good.values().stream().mapToInt(AtomicInteger::get).sum();
        int good202 = good.getOrDefault(202, new AtomicInteger()).get();
        List<Double> ms = goodUploadMs.stream().map(Long::doubleValue).toList();
        s.append(String.format(Locale.ROOT, "**Good uploads: %d, %s** (%s); request to 202 %.0f ms median, %.0f ms at the 95th"
                        + " percentile, %.0f ms at most. Good completions: %s.%n%n", goodTotal,
                good202 == goodTotal ? "all 202" : "**" + (goodTotal - good202) + " not 202**", answersText(good),
                BurstBench.median(ms), BurstBench.percentile(ms, 95), ms.isEmpty() ? Double.NaN : Collections.max(ms),
                answersText(answers.getOrDefault("good completion", Map.of()))));

        s.append("| attack | answered (status: count; -1 closed without an answer, or refused at accept) |\n| --- | --- |\n");
        new TreeMap<>(answers).forEach((kind, counts) -> {
            if (!kind.startsWith("good")) {
                s.append("| ").append(kind).append(" | ").append(answersText(counts)).append(" |\n");
            }
        });
        s.append("| completions and uploads hung up | counted by the service as `client_gone`: ")
                .append(fmt(sum(metrics, "igait_completion_refused_total{reason=\"client_gone\"}")
                        + sum(metrics, "igait_uploads_total{outcome=\"refused\",reason=\"client_gone\"}")))
                .append("; `internal_error`: ").append(fmt(sum(metrics, "igait_uploads_total{outcome=\"refused\",reason=\"internal_error\"}")
                        + sum(metrics, "igait_completion_refused_total{reason=\"internal_error\"}"))).append(" |\n");
        s.append("| connections closed by the service | ");
        for (String reason : new String[] {"max_connections", "connections_per_address", "header_timeout"}) {
            s.append(reason).append(' ').append(fmt(sum(metrics, "igait_http_connections_closed_total{reason=\"" + reason + "\"}"))).append("; ");
        }
        s.setLength(s.length() - 2);
        s.append(" |\n\n");

        s.append("Every minute (the service's `/proc/<pid>`; connections, uploads in progress and workers busy from its metrics;")
                .append(" liveness: the management port's answer time):\n\n")
                .append("| minute | RSS MB | threads | fds | connections | uploads in progress | workers busy | liveness ms | good uploads so far |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        long nextMinute = 0;
        for (Sample x : samples) {
            if (x.seconds >= nextMinute) {
                s.append(row(String.valueOf(x.seconds / 60), x));
                nextMinute = (x.seconds / 60 + 1) * 60;
            }
        }
        s.append(row("end", samples.get(samples.size() - 1)));
        s.append(row("+" + SETTLE.toSeconds() + " s, attacks stopped", after));

        // Flat: once warm (a third of the run, at least a minute: the heap grows to its working size under
        // -Xmx256m and the JIT compiles), to the end, a little drift allowed.
        long warmFrom = Math.max(60, length.toSeconds() / 3);
        List<Sample> warm = samples.stream().filter(x -> x.seconds >= warmFrom).toList();
        if (warm.size() < 2) {
            warm = samples;
        }
        Sample first = warm.get(0);
        Sample last = warm.get(warm.size() - 1);
        Sample oneMinute = samples.stream().filter(x -> x.seconds >= 60).findFirst().orElse(first);
        int thrMin = warm.stream().mapToInt(Sample::threads).min().orElse(0);
        int thrMax = warm.stream().mapToInt(Sample::threads).max().orElse(0);
        int fdMin = warm.stream().mapToInt(Sample::fds).min().orElse(0);
        int fdMax = warm.stream().mapToInt(Sample::fds).max().orElse(0);
        boolean rssFlat = last.rssKb <= first.rssKb + 16 * 1024;
        boolean threadsFlat = last.threads <= first.threads + 8;
        boolean fdsFlat = last.fds <= first.fds + 64;
        s.append(String.format(Locale.ROOT, "%nOnce warm (from %d s on, %d samples): RSS %d MB, then %d MB at the end (%s; %d MB at"
                        + " 1 min, the heap still growing to its working size), threads %d to %d (%s), file descriptors %d to %d (%s;"
                        + " the half-line and idle connections come and go with the header time-out). Once the attacks stopped and"
                        + " their deadlines passed: %.0f connections, %.0f uploads and %.0f completions in progress, %.0f worker"
                        + " threads busy, %.0f bytes of uploads in memory, %d partial uploads in `data/uploads`.%n",
                first.seconds, warm.size(), first.rssKb / 1024, last.rssKb / 1024, flat(rssFlat), oneMinute.rssKb / 1024,
                thrMin, thrMax, flat(threadsFlat), fdMin, fdMax, flat(fdsFlat),
                metrics.getOrDefault("igait_http_connections", Double.NaN),
                metrics.getOrDefault("igait_uploads_in_progress", Double.NaN),
                metrics.getOrDefault("igait_completions_in_progress", Double.NaN),
                metrics.getOrDefault("igait_http_workers_busy", Double.NaN),
                metrics.getOrDefault("igait_upload_memory_bytes", Double.NaN), partials));
        if (!goodFailures.isEmpty()) {
            s.append("\nGood requests answered otherwise: ").append(String.join("; ", goodFailures.subList(0, Math.min(5, goodFailures.size()))))
                    .append('\n');
        }
        return s.toString();
    }

    private static String row(String label, Sample x) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.0f | %.0f | %d | %d |%n", label, x.rssKb / 1024, x.threads,
                x.fds, x.connections, x.uploads, x.workersBusy, x.livenessMs, x.goodUploads);
    }

    private static String flat(boolean flat) {
        return flat ? "flat" : "**growing**";
    }

    private static double sum(Map<String, Double> metrics, String key) {
        return metrics.getOrDefault(key, 0.0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String answersText(Map<Integer, AtomicInteger> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        new TreeMap<>(counts).forEach((status, n) -> b.append(b.length() == 0 ? "" : ", ").append(status).append(": ").append(n.get()));
        return b.toString();
    }

    private void close() {
        attacking = false;
        serving = false;
        if (service != null) {
            service.close();
            service = null;
        }
        if (keys != null) {
            keys.close();
            keys = null;
        }
        BenchFiles.deleteTree(work);
    }

    private static void say(String line) {
        System.out.println("[soak] " + line);
        System.out.flush();
    }
}
