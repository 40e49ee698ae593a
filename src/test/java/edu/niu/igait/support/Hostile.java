package edu.niu.igait.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Clients as an attacker (or a phone losing its signal) would be, on plain sockets from any address of
 * 127.0.0.0/8 (Linux answers on all of them, so one test has as many client addresses as it wants), and
 * the good requests that must still be answered afterwards.
 */
public final class Hostile {

    /** How long a good request may take after an attack: the bound. */
    public static final int GOOD_ANSWER_MS = 2000;
    public static final String BOUNDARY = "hostile-boundary";

    private Hostile() {
    }

    /** The {@code n}-th of many client addresses, 127.1.0.0 upwards (never 127.0.0.1, the tests' own). */
    public static String address(int n) {
        return "127." + (1 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256);
    }

    /** A socket to the service from {@code local} (an address of 127.0.0.0/8). */
    public static Socket connect(String local, int port) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(local), 0);
            socket.setSoTimeout(30_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect from " + local, e);
        }
    }

    /** Sends {@code request} from {@code local} and reads one answer within {@code timeoutMs} (status -1: closed without one). */
    public static RawHttp.Response exchange(String local, int port, byte[] request, int timeoutMs) {
        try (Socket socket = connect(local, port)) {
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return RawHttp.read(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer from the service within " + timeoutMs + " ms (from " + local + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The head of a request (line, Host, these headers), ended by the blank line. */
    public static byte[] head(String requestLine, String... headers) {
        StringBuilder b = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The uid of {@link #uploadBody()}. */
    public static final String UID = "hostile-test-parent";

    /** A whole valid upload form (sign-in off): the seven text fields, two small videos. */
    public static byte[] uploadBody() {
        return uploadBody("parent@example.org");
    }

    /** The same with this email (null: without the field). */
    public static byte[] uploadBody(String email) {
        return uploadBody(UID, email);
    }

    /** The same with this uid and email (null: without the field; a signed-in upload's uid is its token's). */
    public static byte[] uploadBody(String uid, String email) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] f : new String[][] {{"uid", uid}, {"age", "6"}, {"ethnicity", "Basque"}, {"sex", "M"},
                                          {"height", "110cm"}, {"weight", "21"}, {"email", email}}) {
            if (f[1] == null) {
                continue;
            }
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        String[][] files = {{"fileuploadfront", "front.mp4", "mp4"}, {"fileuploadside", "side.mov", "mov"}};
        for (String[] f : files) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"; filename=\"" + f[1]
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Videos.bytes(f[2], 100_000));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** The head of an upload of {@code length} bytes, with these headers besides (a token, ...). */
    public static byte[] uploadHead(long length, String... headers) {
        List<String> all = new ArrayList<>(List.of("Content-Type: multipart/form-data; boundary=" + BOUNDARY,
                "Content-Length: " + length));
        all.addAll(List.of(headers));
        return head("POST /api/v1/upload HTTP/1.1", all.toArray(String[]::new));
    }

    /** A valid completion (urlencoded) with this key. */
    public static byte[] completion(String key, int jobId) {
        String body = "user_id=" + UID + "&job_id=" + jobId + "&status_code=OK&status_content=0.5&igait_access_key=" + key;
        return concat(head("POST /api/v1/completion HTTP/1.1", "Content-Type: application/x-www-form-urlencoded",
                "Content-Length: " + body.length()), body.getBytes(StandardCharsets.US_ASCII));
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * The service, from {@code local}, answers its health, takes an upload (202) and a completion with
     * {@code key} (202), each within {@link #GOOD_ANSWER_MS}.
     */
    public static void assertStillServing(int port, String local, String key) {
        RawHttp.Response health = exchange(local, port, head("GET /api/v1/health HTTP/1.1"), GOOD_ANSWER_MS);
        assertThat(health.status()).as("health, afterwards").isEqualTo(200);
        byte[] body = uploadBody();
        RawHttp.Response upload = exchange(local, port, concat(uploadHead(body.length), body), GOOD_ANSWER_MS);
        assertThat(upload.status()).as("an upload, afterwards: " + upload.body()).isEqualTo(202);
        RawHttp.Response completion = exchange(local, port, completion(key, 7), GOOD_ANSWER_MS);
        assertThat(completion.status()).as("a completion, afterwards: " + completion.body()).isEqualTo(202);
    }

    /** Runs {@code attack(i)} for i in 0..n-1 on {@code threads} threads and waits for all (at most 2 minutes). */
    public static void inParallel(int n, int threads, IntConsumer attack) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                all.add(pool.submit(() -> attack.accept(k)));
            }
            for (Future<?> f : all) {
                f.get(2, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new AssertionError("an attacking client failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }
}
