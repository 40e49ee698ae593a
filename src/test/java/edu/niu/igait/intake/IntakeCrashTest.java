package edu.niu.igait.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a large upload: the service comes back healthy on the same data folder,
 * with no partial upload and no job folder without a ticket left, and takes uploads again.
 */
class IntakeCrashTest {

    static final long VIDEO = 200L * 1024 * 1024;
    /** The client sends this much of the body, then waits for the kill. */
    static final long SENT_BEFORE_KILL = 8L * 1024 * 1024;

    @Test
    void killedMidUploadComesBackHealthyWithNoOrphan(@TempDir Path data) throws Exception {
        Map<String, String> props = Map.of("igait.data-dir", data.toString());
        CountDownLatch killed = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> upload;

        try (ServiceProcess first = ServiceProcess.start(props).awaitHealthy()) {
            Multipart form = UploadForm.valid().without("fileuploadfront").without("fileuploadside")
                    .multipart()
                    .file("fileuploadfront", "front.mp4", () -> new HoldingStream(Videos.stream("mp4", VIDEO), SENT_BEFORE_KILL, killed), VIDEO)
                    .file("fileuploadside", "side.mp4", Videos.bytes("mp4", 100_000));
            upload = Http.client().sendAsync(HttpRequest.newBuilder(first.uri(UploadIntakeTest.UPLOAD))
                            .header("Content-Type", form.contentType()).POST(form.build()).build(),
                    HttpResponse.BodyHandlers.ofString());

            Path partial = awaitPartialUpload(data.resolve("uploads"));
            first.kill();
            assertThat(first.isAlive()).isFalse();
            assertThat(Files.size(partial)).as("the kill left a partial upload behind").isGreaterThan(0).isLessThan(VIDEO);
        } finally {
            killed.countDown();
        }
        try {
            upload.get(30, TimeUnit.SECONDS);
            throw new AssertionError("an upload cut by kill -9 cannot have been answered");
        } catch (ExecutionException expected) {
            // the connection died with the service
        }

        // A crash between storing the videos and writing the ticket leaves a job folder without a ticket
        // (and maybe a half-written ticket): start-up must remove those too.
        Path orphan = Files.createDirectories(data.resolve("jobs/ORPHANorphanORPHAN0123"));
        Files.write(orphan.resolve("front.mp4"), Videos.bytes("mp4", 5000));
        Files.createDirectories(data.resolve("stages/1-record"));
        Files.writeString(data.resolve("stages/1-record/.ORPHANorphanORPHAN0123.tmp"), "{", StandardCharsets.UTF_8);

        try (ServiceProcess second = ServiceProcess.start(props).awaitHealthy()) {
            DataDirSnapshot after = DataDirSnapshot.of(data);
            assertThat(after.under("uploads")).as("partial uploads removed").isEmpty();
            assertThat(jobsWithoutTicket(data)).as("job folders without a ticket removed").isEmpty();
            assertThat(after.under("stages/1-record")).as("half-written tickets removed").isEmpty();
            assertThat(second.logText()).contains("start-up clean-up");

            HttpResponse<String> again = Http.post(second.uri(UploadIntakeTest.UPLOAD), UploadForm.valid().multipart());
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            String sid = Http.json(again.body()).path("submissionId").asText();
            assertThat(data.resolve("stages/1-record").resolve(sid)).isRegularFile();
            assertThat(jobsWithoutTicket(data)).isEmpty();
        }
    }

    private static Path awaitPartialUpload(Path uploads) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(uploads)) {
                try (Stream<Path> files = Files.list(uploads)) {
                    for (Path p : files.toList()) {
                        if (Files.size(p) > 0) {
                            return p;
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no partial upload appeared in " + uploads);
    }

    private static Set<String> jobsWithoutTicket(Path data) throws IOException {
        Set<String> tickets;
        try (Stream<Path> all = Files.walk(data)) {
            tickets = all.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(data.resolve("jobs")))
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet());
        }
        try (Stream<Path> jobs = Files.list(data.resolve("jobs"))) {
            List<String> names = jobs.map(p -> p.getFileName().toString()).toList();
            return names.stream().filter(n -> !tickets.contains(n)).collect(Collectors.toSet());
        }
    }

    /** Passes the first {@code limit} bytes through, then blocks until released and fails: a client stuck mid-body. */
    private static final class HoldingStream extends InputStream {
        private final InputStream in;
        private final long limit;
        private final CountDownLatch release;
        private long read;

        HoldingStream(InputStream in, long limit, CountDownLatch release) {
            this.in = in;
            this.limit = limit;
            this.release = release;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read >= limit) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("test client stops sending");
            }
            int n = in.read(b, off, (int) Math.min(len, limit - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }
}
