package edu.niu.igait.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.logging.Subsystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What Metis does after {@code qsub}, for the dev run: after {@code igait.dev.metis-delay} it puts
 * {@code front_keyframed.<ext>} and {@code side_keyframed.<ext>} (copies of the uploaded videos) into
 * S3 and posts the result to {@code /api/v1/completion}, as the PBS script on Metis does.
 *
 * <p>Each submission is a JSON file in its folder, written before qsub's answer reaches the service
 * and rewritten at every step, so a submission that was queued when the process died (SIGKILL
 * included) still completes after the restart, and the PBS ids go on counting. A completion the
 * service does not take (any non-2xx answer, or no answer) is posted again with back-off: 1 s,
 * 2 s, 4 s ... at most 30 s apart, until it is taken.
 */
public final class DevMetis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevMetis.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One submission as the simulator keeps it (also its JSON in {@code GET /dev/metis}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Submission {
        public long sequence;
        /** qsub's answer. */
        public String pbsId;
        public String uid;
        public String jobId;
        public String command;
        public String receivedAt;
        /** When the simulated job ends (absent: {@code igait.dev.metis-delay} was 0, it never does). */
        public String dueAt;
        /** {@code queued}, {@code held} (never completes), {@code posting} (result being delivered), {@code completed}. */
        public String state;
        /** The simulated result: {@code OK} or {@code ERR}. */
        public String statusCode;
        /** The score, or the error. */
        public String statusContent;
        /** The keyframed objects put into S3. */
        public List<String> keyframed;
        /** Completion posts so far, the last answer (HTTP status, or the error), and when it was taken. */
        public int attempts;
        public Integer lastHttpStatus;
        public String lastAnswer;
        public String lastAttemptAt;
        public String deliveredAt;
    }

    private final Path dir;
    private final S3Client s3;
    private final String bucket;
    private final Duration delay;
    private final String result;
    private final URI completionUrl;
    private final String accessKey;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Map<Long, Submission> submissions = new ConcurrentSkipListMap<>();
    /** Submissions whose end is scheduled in this process: a qsub during start-up is not scheduled twice by resume(). */
    private final Set<Long> scheduled = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ScheduledExecutorService scheduler;

    /**
     * @param dir           where the submissions are kept ({@code <sequence>.json})
     * @param delay         how long a job runs; zero: it never completes
     * @param result        {@code OK} (a random score) or {@code ERR}
     * @param completionUrl the service's {@code /api/v1/completion}
     */
    public DevMetis(Path dir, S3Client s3, String bucket, Duration delay, String result, URI completionUrl, String accessKey) {
        if (!result.equals("OK") && !result.equals("ERR")) {
            throw new IllegalArgumentException("igait.dev.metis-result must be OK or ERR, got '" + result + "'");
        }
        this.dir = dir.toAbsolutePath();
        this.s3 = s3;
        this.bucket = bucket;
        this.delay = delay;
        this.result = result;
        this.completionUrl = completionUrl;
        this.accessKey = accessKey;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "metis-sim-jobs");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
        load();
    }

    /** The PBS sequence to go on with: one past the highest kept (at least 1000, the simulator's first). */
    public long nextSequence() {
        return submissions.keySet().stream().mapToLong(Long::longValue).max().orElse(999) + 1;
    }

    /**
     * The simulator's {@link MetisSimulator#onQueued queue hook}: keeps the submission on disk and
     * schedules its end, before qsub answers (as PBS does). Runs on the SSH command's thread.
     */
    public void submitted(MetisSimulator.QsubCall call) {
        Submission s = new Submission();
        s.sequence = call.sequence();
        s.pbsId = call.pbsId();
        s.uid = call.userId();
        s.jobId = call.jobId();
        s.command = call.command();
        s.receivedAt = call.receivedAt().toString();
        if (result.equals("OK")) {
            s.statusCode = "OK";
            s.statusContent = String.format(Locale.ROOT, "%.4f", RANDOM.nextDouble());
        } else {
            s.statusCode = "ERR";
            s.statusContent = "simulated failure on metis-sim: no walking person found in the side video";
        }
        if (delay.isZero()) {
            s.state = "held";
        } else {
            s.state = "queued";
            s.dueAt = call.receivedAt().plus(delay).toString();
        }
        submissions.put(s.sequence, s);
        save(s);
        LOG.info(Subsystem.DEV, "metis-sim: {} queued for uid {} job {}, {}", s.pbsId, s.uid, s.jobId,
                delay.isZero() ? "held (igait.dev.metis-delay=0: it never completes)"
                        : "completes in " + delay.toMillis() + " ms with " + s.statusCode);
        schedule(s);
    }

    /** Schedules every kept submission that has not completed: call once the service answers HTTP. */
    public void resume() {
        for (Submission s : submissions.values()) {
            if (s.state.equals("queued") || s.state.equals("posting")) {
                schedule(s);
            }
        }
    }

    /** The submissions, oldest first, as {@code GET /dev/metis} shows them. */
    public List<Submission> list() {
        return new ArrayList<>(submissions.values());
    }

    private void schedule(Submission s) {
        if (s.dueAt == null || scheduler.isShutdown() || !scheduled.add(s.sequence)) {
            return;
        }
        long wait = Math.max(0, Duration.between(Instant.now(), Instant.parse(s.dueAt)).toMillis());
        scheduler.schedule(() -> run(s), wait, TimeUnit.MILLISECONDS);
    }

    private void run(Submission s) {
        try {
            if (s.statusCode.equals("OK") && s.keyframed == null) {
                s.keyframed = putKeyframes(s);
            }
            s.state = "posting";
            s.attempts++;
            s.lastAttemptAt = Instant.now().toString();
            HttpResponse<String> answer = post(s);
            s.lastHttpStatus = answer.statusCode();
            s.lastAnswer = abbreviate(answer.body());
            if (answer.statusCode() / 100 == 2) {
                s.state = "completed";
                s.deliveredAt = Instant.now().toString();
                save(s);
                LOG.info(Subsystem.DEV, "metis-sim: {} completed: the service took {} {} (HTTP {})",
                        s.pbsId, s.statusCode, s.statusContent, answer.statusCode());
                return;
            }
            LOG.warn(Subsystem.DEV, "metis-sim: {}: the service answered the completion with HTTP {}: {}",
                    s.pbsId, answer.statusCode(), s.lastAnswer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            if (s.attempts == 0) {
                s.attempts++;
                s.lastAttemptAt = Instant.now().toString();
            }
            s.lastHttpStatus = null;
            s.lastAnswer = abbreviate(e.toString());
            LOG.warn(Subsystem.DEV, "metis-sim: {}: cannot complete yet: {}", s.pbsId, s.lastAnswer);
        }
        save(s);
        if (!scheduler.isShutdown()) {
            long backoff = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(10, Math.max(0, s.attempts - 1)));
            scheduler.schedule(() -> run(s), backoff, TimeUnit.MILLISECONDS);
        }
    }

    /** Copies the uploaded videos to their keyframed names, as the inference does (extensions from extensions.json). */
    private List<String> putKeyframes(Submission s) throws IOException {
        String prefix = s.uid + "/" + s.jobId + "/";
        JsonNode extensions = json.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "extensions.json")).asByteArray());
        List<String> keys = new ArrayList<>();
        for (String side : List.of("front", "side")) {
            JsonNode ext = extensions.get(side);
            if (ext == null || !ext.isTextual()) {
                throw new IOException(prefix + "extensions.json has no \"" + side + "\"");
            }
            String source = prefix + side + "." + ext.asText();
            String target = prefix + side + "_keyframed." + ext.asText();
            s3.copyObject(c -> c.sourceBucket(bucket).sourceKey(source).destinationBucket(bucket).destinationKey(target));
            keys.add(target);
        }
        return keys;
    }

    /** POSTs the result the way Metis does: multipart/form-data with the access key as a form field. */
    private HttpResponse<String> post(Submission s) throws IOException, InterruptedException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user_id", s.uid);
        fields.put("job_id", s.jobId);
        fields.put("status_code", s.statusCode);
        fields.put("status_content", s.statusContent);
        fields.put("igait_access_key", accessKey);
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        String boundary = "metis-sim-" + HexFormat.of().formatHex(random);
        StringBuilder body = new StringBuilder();
        fields.forEach((name, value) -> body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n"));
        body.append("--").append(boundary).append("--\r\n");
        HttpRequest request = HttpRequest.newBuilder(completionUrl)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void load() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (!name.matches("\\d+\\.json")) {
                        continue;
                    }
                    Submission s = json.readValue(file.toFile(), Submission.class);
                    submissions.put(s.sequence, s);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Metis simulator's submissions in " + dir, e);
        }
    }

    private synchronized void save(Submission s) {
        try {
            DurableFiles.write(dir.resolve(s.sequence + ".json"), json.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep submission " + s.pbsId + " in " + dir, e);
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    /** Stops the pending work; what is queued stays in its files for the next start. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
