package edu.niu.igait.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests java.net.http will not send: a Content-Length that
 * promises more than is sent, a body that stops half-way.
 */
public final class RawHttp {

    /** An answer: status, headers (names lower case), body as text; status -1 if the server closed without one. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and headers, CRLF-terminated, without the blank line), the
     * blank line, then {@code body}, and reads one answer (waiting at most {@code timeoutMs}).
     */
    public static Response exchange(int port, String head, byte[] body, int timeoutMs) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(timeoutMs);
            var out = socket.getOutputStream();
            out.write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (IOException closedEarly) {
                // the server may answer and close before it reads the whole body
            }
            return read(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMs + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Like {@link #exchange}, but the body goes out in pieces of random size (1 to {@code maxPiece}
     * bytes, from {@code seed}), each flushed on its own with Nagle off, so the server receives it
     * cut at places no ordinary client would choose.
     */
    public static Response exchangeInPieces(int port, String head, byte[] body, int maxPiece, long seed, int timeoutMs) {
        java.util.Random random = new java.util.Random(seed);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(timeoutMs);
            socket.setTcpNoDelay(true);
            var out = socket.getOutputStream();
            out.write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (int at = 0; at < body.length; ) {
                int n = Math.min(body.length - at, 1 + random.nextInt(maxPiece));
                out.write(body, at, n);
                out.flush();
                at += n;
            }
            return read(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMs + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code head} with {@code Expect: 100-continue}, waits for the interim 100 answer (failing
     * if the final answer comes first), then sends the body and reads the final answer.
     */
    public static Response exchangeAfterContinue(int port, String head, byte[] body, int timeoutMs) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(timeoutMs);
            var out = socket.getOutputStream();
            var in = socket.getInputStream();
            out.write((head + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String interim = line(in);
            if (interim == null || !interim.startsWith("HTTP/1.1 100")) {
                throw new AssertionError("expected 100 Continue before the body, got: " + interim);
            }
            for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                // headers of the interim answer, if any
            }
            out.write(body);
            out.flush();
            return read(in);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMs + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One HTTP/1.1 answer from the stream: status, headers (lower-case names), body (by length, chunks, or to the end). */
    public static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return new Response(-1, Map.of(), "");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (String size; (size = line(in)) != null; ) {
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                body.write(in.readNBytes(n));
                line(in);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
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
