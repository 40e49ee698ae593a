package edu.niu.igait.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client on a plain socket that says what a hostile one would: any bytes, a body that goes on
 * while the answer comes, requests pipelined behind the first; and reports the first answer, what
 * came after it, and whether the server closed the connection.
 */
public final class RawClient {

    /**
     * The first answer, with its headers (names lower case); {@code after} is whatever the server sent
     * after it; {@code closed} whether the server closed the connection once it had answered.
     */
    public record Answer(int status, Map<String, String> headers, String body, String after, boolean closed, long bodyBytesSent) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawClient() {
    }

    /** Sends {@code request} as it is and reads. */
    public static Answer send(int port, String request) {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    public static Answer send(int port, byte[] request) {
        return send(port, request, 0);
    }

    /**
     * Sends {@code request}, then (from another thread) keeps sending {@code streamBytes} more bytes
     * of 'x' (a body that goes on) until they are out or the server stops taking them; reads the
     * first answer, then up to EOF (at most 30 s).
     */
    public static Answer send(int port, byte[] request, long streamBytes) {
        byte[] unit = new byte[65536];
        java.util.Arrays.fill(unit, (byte) 'x');
        return send(port, request, streamBytes, unit);
    }

    /**
     * Like {@link #send(int, byte[], long)}, the body going on as copies of {@code unit} (already framed,
     * e.g. a whole chunk of a chunked body) until {@code streamBytes} have gone or the server stops
     * taking them. Everything is written from another thread, so a server that answers and closes
     * early is read all the same.
     */
    public static Answer send(int port, byte[] request, long streamBytes, byte[] unit) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    out.write(request);
                    out.flush();
                    while (sent.get() < streamBytes) {
                        out.write(unit);
                        sent.addAndGet(unit.length);
                    }
                    out.flush();
                } catch (IOException closed) {
                    // the server stopped reading and closed: expected for a refusal
                }
            }, "raw-client-writer");
            writer.setDaemon(true);
            writer.start();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            if (statusLine == null) {
                return new Answer(-1, Map.of(), "", "", true, sent.get());
            }
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            Map<String, String> headers = new TreeMap<>();
            for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (String size; (size = line(in)) != null; ) {
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        line(in);
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line(in);
                }
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            }
            ByteArrayOutputStream after = new ByteArrayOutputStream();
            boolean closed;
            try {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    after.write(buffer, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException stillOpen) {
                closed = false;
            } catch (SocketException reset) {
                closed = true;
            }
            writer.join(10_000);
            return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), after.toString(StandardCharsets.ISO_8859_1),
                    closed, sent.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
