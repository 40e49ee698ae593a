package edu.niu.igait.resumable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the service in the middle of a PATCH: the offset it had reported (HEAD, while the PATCH
 * arrived) is on disk; after the restart HEAD answers an offset at least that far, whose bytes are the
 * source's, the rest is sent from there, and the video in the job is the source, byte for byte. Bytes
 * past the recorded offset (sent, written, not yet reported; or garbage a power cut left) are cut off at
 * start-up, and what an interrupted creation or submission left is removed.
 */
class ResumableCrashTest {

    static final int VIDEO = 12 * 1024 * 1024;
    static final int BEFORE_CHECKPOINT = 4 * 1024 * 1024;
    static final int AFTER_CHECKPOINT = 3 * 1024 * 1024;

    @Test
    void killedInTheMiddleOfAPatchResumesFromTheReportedOffsetAndTheBytesAreTheSource(@TempDir Path data) throws Exception {
        Map<String, String> props = Map.of("igait.data-dir", data.toString());
        byte[] video = Videos.bytes("mp4", VIDEO);
        String path;
        long reported;

        try (ServiceProcess first = ServiceProcess.start(props).awaitHealthy()) {
            TusCalls tus = new TusCalls(first::uri);
            path = tus.created(null, VIDEO, "front.mp4");
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), first.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + path + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                        + "Content-Type: application/offset+octet-stream\r\nContent-Length: " + VIDEO + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(video, 0, BEFORE_CHECKPOINT);
                out.flush();
                // While the PATCH still arrives, HEAD reports what is on disk of it.
                reported = 0;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (reported < BEFORE_CHECKPOINT) {
                    assertThat(System.nanoTime()).as("HEAD reported the bytes of the PATCH under way").isLessThan(deadline);
                    Thread.sleep(50);
                    reported = tus.offset(null, path);
                }
                // More bytes, past the last checkpoint: the kill comes before they are reported.
                out.write(video, BEFORE_CHECKPOINT, AFTER_CHECKPOINT);
                out.flush();
                first.kill();
            }
        }
        assertThat(reported).isEqualTo(BEFORE_CHECKPOINT);
        Path file = TusCalls.fileOf(data, path).resolve("video");
        // What a power cut may leave past the bytes written: garbage the restart must not take as the upload's.
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length());
            raf.write(new byte[1500]);
        }
        // A creation cut before its record, and an upload whose video went into a job just before the crash.
        Files.createDirectories(data.resolve("files/0123456789abcdef0123456789abcdef"));
        Path used = Files.createDirectories(data.resolve("files/fedcba9876543210fedcba9876543210"));
        Files.writeString(used.resolve("upload.json"), Files.readString(TusCalls.fileOf(data, path).resolve("upload.json"))
                .replace(path.substring(path.lastIndexOf('/') + 1), "fedcba9876543210fedcba9876543210"));

        // The restart, in this JVM: what matters is the data folder the kill left.
        try (TestService second = TestService.start(Map.of("igait.data-dir", data.toString()))) {
            TusCalls tus = new TusCalls(second::uri);
            long offset = tus.offset(null, path);
            assertThat(offset).as("never behind what was reported, never past what was sent")
                    .isBetween(reported, (long) BEFORE_CHECKPOINT + AFTER_CHECKPOINT);
            assertThat(Files.size(file)).as("bytes past the recorded offset cut off").isEqualTo(offset);
            assertThat(data.resolve("files/0123456789abcdef0123456789abcdef")).doesNotExist();
            assertThat(used).doesNotExist();
            assertThat(sha256(Files.readAllBytes(file))).as("the bytes kept are the source's").isEqualTo(sha256(Arrays.copyOf(video, (int) offset)));

            HttpResponse<String> rest = tus.patch(null, path, offset, Arrays.copyOfRange(video, (int) offset, VIDEO));
            assertThat(rest.statusCode()).as(rest.body()).isEqualTo(204);
            assertThat(sha256(Files.readAllBytes(file))).isEqualTo(sha256(video));

            String side = tus.upload(null, Videos.bytes("mp4", 10_000), "side.mp4", 10_000);
            HttpResponse<String> submitted = tus.submit(null, TusCalls.form(path, side).field("uid", "crash-parent"));
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            Path job = data.resolve("jobs").resolve(Http.json(submitted.body()).path("submissionId").asText());
            assertThat(Videos.sha256(job.resolve("front.mp4"))).isEqualTo(sha256(video));
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
