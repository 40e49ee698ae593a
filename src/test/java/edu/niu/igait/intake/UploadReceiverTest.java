package edu.niu.igait.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.support.Videos;
import edu.niu.igait.http.RequestRejected;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload reader on a real Vert.x HTTP server on 127.0.0.1, called as the route calls it (the
 * request paused, on a worker thread of the request's context), with its disk threads held back:
 * a client faster than the disk is paused, so the bytes waiting in memory stay bounded, and it
 * is resumed when the disk catches up, with every byte in place.
 */
class UploadReceiverTest {

    @TempDir
    Path uploads;

    private Vertx vertx;
    private final HeldDisk disk = new HeldDisk();
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        disk.release();
        disk.shutdownNow();
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientFasterThanTheDiskIsPausedAndResumedWithEveryByteInPlace() throws Exception {
        UploadReceiver receiver = new UploadReceiver(uploads, 64L * 1024 * 1024, new MemoryBudget(64L * 1024 * 1024), disk);
        int port = serve(receiver);
        byte[] front = Videos.bytes("mp4", 24 * 1024 * 1024);
        byte[] side = Videos.bytes("mov", 1024 * 1024);
        byte[] body = UploadIntakeTest.rawForm("b", front, side);

        AtomicLong sent = new AtomicLong();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> post(port, body, sent));

        // With the disk held back, the service reads until it has a few MiB waiting, then stops.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (receiver.queuedBytes() < UploadReceiver.PAUSE_ABOVE && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(receiver.queuedBytes()).as("bytes waiting for the held-back disk").isGreaterThan(UploadReceiver.PAUSE_ABOVE);
        long settled = waitUntilSteady(sent);
        assertThat(settled).as("bytes the client got out while the disk was held back").isLessThan(body.length);
        assertThat(answer).isNotDone();
        // One chunk may arrive between the last check and the pause.
        assertThat(receiver.peakQueuedBytes()).as("most bytes ever waiting in memory")
                .isLessThanOrEqualTo(UploadReceiver.PAUSE_ABOVE + 64 * 1024);

        disk.release();
        String result = answer.get(30, TimeUnit.SECONDS);

        assertThat(result).startsWith("HTTP/1.1 200");
        assertThat(result).contains("fileuploadfront " + front.length + " " + sha256(front));
        assertThat(result).contains("fileuploadside " + side.length + " " + sha256(side));
        assertThat(sent.get()).isEqualTo(body.length);
        assertThat(receiver.queuedBytes()).isZero();
    }

    /** Each upload's write buffer goes back when it ends: one after another, five uploads use one buffer. */
    @Test
    void uploadsOneAfterAnotherReuseOneWriteBuffer() throws Exception {
        disk.release();
        UploadReceiver receiver = new UploadReceiver(uploads, 64L * 1024 * 1024, new MemoryBudget(64L * 1024 * 1024), disk);
        int port = serve(receiver);
        for (int i = 0; i < 5; i++) {
            byte[] front = Videos.bytes("mp4", 3 * 1024 * 1024 + i);
            byte[] side = Videos.bytes("mov", 200_000);
            String result = CompletableFuture.supplyAsync(() -> post(port, UploadIntakeTest.rawForm("b", front, side), new AtomicLong()))
                    .get(30, TimeUnit.SECONDS);
            assertThat(result).startsWith("HTTP/1.1 200").contains("fileuploadfront " + front.length + " " + sha256(front));
        }
        assertThat(receiver.writeBuffersMade()).isEqualTo(1);
    }

    /** A disk that refuses the writes (here: the upload folder is gone) is a 503 in JSON, not a hang. */
    @Test
    void anUploadTheDiskCannotTakeIsAnswered503() throws Exception {
        disk.release();
        Path gone = uploads.resolve("removed");
        UploadReceiver receiver = new UploadReceiver(gone, 64L * 1024 * 1024, new MemoryBudget(64L * 1024 * 1024), disk);
        int port = serve(receiver);
        byte[] body = UploadIntakeTest.rawForm("b", Videos.bytes("mp4", 300_000), Videos.bytes("mov", 200_000));

        String result = CompletableFuture.supplyAsync(() -> post(port, body, new AtomicLong())).get(30, TimeUnit.SECONDS);

        assertThat(result).startsWith("HTTP/1.1 503");
        assertThat(result).contains("application/json").contains("\"error\":\"storage_unavailable\"");
        assertThat(gone).doesNotExist();
        assertThat(receiver.queuedBytes()).isZero();
    }

    /** Until the client's progress stops changing for a second (the socket buffers are full). */
    private static long waitUntilSteady(AtomicLong sent) throws InterruptedException {
        long last = -1;
        long now = sent.get();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (now != last && System.nanoTime() < deadline) {
            last = now;
            Thread.sleep(1000);
            now = sent.get();
        }
        return now;
    }

    /**
     * A server whose requests go to the receiver as the platform's consumer hands them to the route:
     * paused, in an exchange, on a worker thread; it answers the stored parts' sizes and digests, or
     * the refusal's status and JSON.
     */
    private int serve(UploadReceiver receiver) throws Exception {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            request.pause();
            Exchange exchange = new DefaultExchange(camel);
            exchange.setIn(new HttpMessage(exchange, request, request.response()));
            vertx.executeBlocking(() -> {
                receiver.receive(exchange);
                return exchange.getVariable(UploadReceiver.FORM, ReceivedUpload.class);
            }, false).onComplete(done -> answer(request, done.result(), done.cause()));
        });
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private static void answer(HttpServerRequest request, ReceivedUpload upload, Throwable failure) {
        if (failure instanceof RequestRejected r) {
            request.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json")
                    .end(edu.niu.igait.http.ErrorBody.json(r.code(), r.getMessage(), r.field()));
            return;
        }
        if (failure != null) {
            request.response().setStatusCode(500).end(failure.toString());
            return;
        }
        StringBuilder out = new StringBuilder();
        for (ReceivedUpload.FilePart part : upload.files()) {
            out.append(part.field()).append(' ').append(part.bytes()).append(' ')
                    .append(sha256(read(part.tempFile()))).append('\n');
        }
        request.response().end(out.toString());
    }

    /** Posts the body in 64 KiB writes, counting what got out, and returns the whole answer. */
    private static String post(int port, byte[] body, AtomicLong sent) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + HttpEdge.UPLOAD_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < body.length; at += 65536) {
                int n = Math.min(65536, body.length - at);
                out.write(body, at, n);
                sent.addAndGet(n);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Disk threads that hold every task back until released, then run them (and later ones) for real. */
    private static final class HeldDisk extends AbstractExecutorService {
        private final ExecutorService real = Executors.newFixedThreadPool(4);
        private final List<Runnable> held = new ArrayList<>();
        private boolean released;

        @Override
        public synchronized void execute(Runnable task) {
            if (released) {
                real.execute(task);
            } else {
                held.add(task);
            }
        }

        synchronized void release() {
            released = true;
            held.forEach(real::execute);
            held.clear();
        }

        @Override
        public void shutdown() {
            real.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return real.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return real.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return real.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return real.awaitTermination(timeout, unit);
        }
    }
}
