package edu.niu.igait.support;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Uploads (without sign-in: the {@code uid} field) whose every answer is kept, a broken connection
 * included, for what a load balancer in front of replicas answers while one is killed or restarted:
 * {@link #burst}, {@link #stream}, then {@link #accepted} and {@link #tally}.
 */
public final class UploadAnswers {

    /** One upload's answer: its uid, status, whether it said Retry-After, its submission id; status 0 for a broken connection. */
    public record Answer(String uid, int status, boolean retryAfter, String sid) {
    }

    private final Path video;

    /** Uploads with {@code video} as both the front and the side video. */
    public UploadAnswers(Path video) {
        this.video = video;
    }

    public Answer post(URI uri, String uid) {
        Multipart form = new Multipart().field("uid", uid).field("age", "7").field("ethnicity", "Asian").field("sex", "F")
                .field("height", "4'2\"").field("weight", "55").field("email", uid + "@example.org")
                .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video);
        try {
            HttpResponse<String> r = Http.client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", form.contentType()).POST(form.build()).build(), HttpResponse.BodyHandlers.ofString());
            String sid = r.statusCode() == 202 ? Http.json(r.body()).get("submissionId").asText() : null;
            return new Answer(uid, r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), sid);
        } catch (java.io.IOException e) {
            return new Answer(uid, 0, false, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(uid, 0, false, null);
        }
    }

    /** {@code n} uploads at once (8 at a time), uids {@code prefix-i}; {@code each} is given the answers so far after each. */
    public List<Answer> burst(URI uri, String prefix, int n, Consumer<List<Answer>> each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String uid = prefix + "-" + i;
                futures.add(pool.submit(() -> {
                    answers.add(post(uri, uid));
                    if (each != null) {
                        List<Answer> sofar;
                        synchronized (answers) {
                            sofar = new ArrayList<>(answers);
                        }
                        each.accept(sofar);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
            return new ArrayList<>(answers);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A steady stream of uploads, one every {@code intervalMillis} (uids {@code prefix-i}), until {@link Stream#stop}. */
    public Stream stream(URI uri, String prefix, long intervalMillis) {
        return new Stream(uri, prefix, intervalMillis);
    }

    public final class Stream {
        private final AtomicBoolean streaming = new AtomicBoolean(true);
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        private Stream(URI uri, String prefix, long intervalMillis) {
            thread = new Thread(() -> {
                int i = 0;
                while (streaming.get()) {
                    long t = System.nanoTime();
                    answers.add(post(uri, prefix + "-" + i++));
                    long left = intervalMillis - (System.nanoTime() - t) / 1_000_000;
                    if (left > 0) {
                        try {
                            Thread.sleep(left);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "upload-stream");
            thread.start();
        }

        /** Stops after the upload in progress; returns every answer. */
        public List<Answer> stop() throws InterruptedException {
            streaming.set(false);
            thread.join();
            return new ArrayList<>(answers);
        }
    }

    public static List<Answer> accepted(List<Answer> answers) {
        synchronized (answers) {
            return answers.stream().filter(a -> a.status() == 202).toList();
        }
    }

    /** The answers counted by kind: {@code "202"}, {@code "503 with Retry-After"}, {@code "connection broken"}... */
    public static Map<String, Integer> tally(List<Answer> answers) {
        Map<String, Integer> counts = new TreeMap<>();
        synchronized (answers) {
            for (Answer a : answers) {
                String key = a.status() == 0 ? "connection broken"
                        : a.status() + (a.status() == 202 ? "" : a.retryAfter() ? " with Retry-After" : " without Retry-After");
                counts.merge(key, 1, Integer::sum);
            }
        }
        return counts;
    }
}
