package edu.niu.igait.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while a 200 MB upload arrives at 40 MB/s: readiness is DOWN at once, and the upload has
 * igait.shutdown.drain to finish. Within it, it is accepted (202, stored whole, its ticket written) and
 * the process then stops; past it, the client gets a clean 503 in JSON with Retry-After, nothing of it
 * is kept, and the process stops.
 */
class UploadDrainTest {

    static final long VIDEO = 200L * 1024 * 1024;
    static final long BYTES_PER_SECOND = 40L * 1024 * 1024;

    @TempDir
    Path data;

    @Test
    void anUploadThatFinishesWithinTheDrainIsAcceptedAndThenTheServiceStops() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(Map.of("igait.data-dir", data.toString(), "igait.shutdown.drain", "30s"))
                .awaitHealthy()) {
            SlowUpload upload = SlowUpload.start(service.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> upload.sent() > 30L * 1024 * 1024);
            service.terminate();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Http.get(service.managementUri("/observe/health/ready")).statusCode() == 503);
            // A request that arrives now (a load balancer that has not yet seen readiness DOWN): 503 in JSON, with Retry-After.
            java.net.http.HttpResponse<String> late = Http.get(service.uri("/api/v1/submissions/" + edu.niu.igait.job.SubmissionId.next()));
            assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
            assertThat(Http.json(late.body()).path("error").asText()).isEqualTo("unavailable");
            assertThat(late.headers().firstValue("Retry-After")).hasValue("5");

            RawHttp.Response answer = upload.answer();
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            String sid = Http.json(answer.body()).get("submissionId").asText();
            service.awaitExit(Duration.ofSeconds(90));
            assertThat(Files.size(data.resolve("jobs").resolve(sid).resolve("front.mp4"))).isEqualTo(VIDEO);
            assertThat(data.resolve("stages/1-record").resolve(sid)).isRegularFile();
            assertThat(service.logText()).contains("1 upload(s) in progress have 30 s to finish")
                    .doesNotContain("Forcing the routes to be shutdown now");
        }
    }

    @Test
    void anUploadStillArrivingAfterTheDrainGetsA503AndNothingIsKept() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(Map.of("igait.data-dir", data.toString(), "igait.shutdown.drain", "2s"))
                .awaitHealthy()) {
            SlowUpload upload = SlowUpload.start(service.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> upload.sent() > 20L * 1024 * 1024);
            service.terminate();

            RawHttp.Response answer = upload.answer();
            assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            assertThat(Http.json(answer.body()).get("error").asText()).isEqualTo("unavailable");
            assertThat(answer.headers().get("retry-after")).matches("[0-9]+");
            assertThat(upload.sent()).as("the rest of the upload was not taken").isLessThan(VIDEO);
            service.awaitExit(Duration.ofSeconds(90));
            try (Stream<Path> uploads = Files.list(data.resolve("uploads"));
                 Stream<Path> jobs = Files.list(data.resolve("jobs"))) {
                assertThat(uploads).as("the partial upload deleted").isEmpty();
                assertThat(jobs).as("no job kept").isEmpty();
            }
            assertThat(service.logText()).contains("refused 503").contains("igait.shutdown.drain");
        }
    }

    /** A client on a plain socket sending a 200 MB front video at 40 MB/s, reading the answer as it comes. */
    static final class SlowUpload {
        private final AtomicLong sent = new AtomicLong();
        private final CompletableFuture<RawHttp.Response> answer = new CompletableFuture<>();

        static SlowUpload start(int port) {
            SlowUpload upload = new SlowUpload();
            Thread t = new Thread(() -> upload.run(port), "slow-upload");
            t.setDaemon(true);
            t.start();
            return upload;
        }

        long sent() {
            return sent.get();
        }

        RawHttp.Response answer() throws Exception {
            return answer.get(120, TimeUnit.SECONDS);
        }

        private void run(int port) {
            String boundary = "slowUploadBoundary7f3a";
            StringBuilder head = new StringBuilder();
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("uid", "drain-parent");
            fields.put("age", "7");
            fields.put("ethnicity", "x");
            fields.put("sex", "F");
            fields.put("height", "120cm");
            fields.put("weight", "30");
            fields.put("email", "drain@example.org");
            fields.forEach((k, v) -> head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
                    .append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"fileuploadfront\"; filename=\"front.mp4\"\r\n")
                    .append("Content-Type: video/mp4\r\n\r\n");
            byte[] side = Videos.bytes("mp4", 100_000);
            String middle = "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"fileuploadside\"; filename=\"side.mp4\"\r\n"
                    + "Content-Type: video/mp4\r\n\r\n";
            String tail = "\r\n--" + boundary + "--\r\n";
            byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
            long length = headBytes.length + VIDEO + middle.length() + side.length + tail.length();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(120_000);
                OutputStream out = socket.getOutputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=" + boundary
                                + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(headBytes);
                        byte[] video = Videos.bytes("mp4", 256 * 1024);
                        byte[] filler = new byte[256 * 1024];
                        long start = System.nanoTime();
                        long written = 0;
                        while (written < VIDEO) {
                            byte[] chunk = written == 0 ? video : filler;
                            int n = (int) Math.min(chunk.length, VIDEO - written);
                            out.write(chunk, 0, n);
                            written += n;
                            sent.set(written);
                            long due = start + written * 1_000_000_000L / BYTES_PER_SECOND;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        out.write(middle.getBytes(StandardCharsets.ISO_8859_1));
                        out.write(side);
                        out.write(tail.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } catch (IOException | InterruptedException stopped) {
                        // the server answered and closed: the answer is read below
                    }
                }, "slow-upload-writer");
                writer.setDaemon(true);
                writer.start();
                InputStream in = socket.getInputStream();
                answer.complete(RawHttp.read(in));
            } catch (IOException | RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }
    }
}
