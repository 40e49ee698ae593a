package edu.niu.igait.support;

import java.io.FileNotFoundException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * A multipart/form-data body for java.net.http that streams its files: each part is a
 * {@link BodyPublishers#ofFile} (or a stream), joined with {@link BodyPublishers#concat}; a video is
 * never read into memory. The body's length is known, so it is sent with a Content-Length.
 *
 * <pre>{@code
 * Multipart form = new Multipart().field("uid", "abc").file("fileuploadfront", "front.mp4", path);
 * HttpRequest.newBuilder(uri).header("Content-Type", form.contentType()).POST(form.build())
 * }</pre>
 */
public final class Multipart {

    private static final byte[] CRLF = {'\r', '\n'};

    private final String boundary;
    private final List<Part> parts = new ArrayList<>();

    private record Part(byte[] head, Supplier<BodyPublisher> content, long length) {
    }

    public Multipart() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.boundary = "igait-test-" + HexFormat.of().formatHex(random);
    }

    public String boundary() {
        return boundary;
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** A text field (UTF-8). */
    public Multipart field(String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return part("Content-Disposition: form-data; name=\"" + quote(name) + "\"\r\n",
                () -> BodyPublishers.ofByteArray(bytes), bytes.length);
    }

    /** A file part streamed from disk. */
    public Multipart file(String name, String fileName, Path file) {
        long length = file.toFile().length();
        return part(fileHead(name, fileName), () -> {
            try {
                return BodyPublishers.ofFile(file);
            } catch (FileNotFoundException e) {
                throw new UncheckedIOException(e);
            }
        }, length);
    }

    /** A small file part from memory. */
    public Multipart file(String name, String fileName, byte[] content) {
        byte[] copy = content.clone();
        return part(fileHead(name, fileName), () -> BodyPublishers.ofByteArray(copy), copy.length);
    }

    /** A file part read from a stream of exactly {@code length} bytes (e.g. generated or throttled). */
    public Multipart file(String name, String fileName, Supplier<InputStream> content, long length) {
        return part(fileHead(name, fileName), () -> BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(content), length), length);
    }

    /** A part with the given header lines (each ending in CRLF, without the blank line) and content. */
    public Multipart part(String headerLines, Supplier<BodyPublisher> content, long length) {
        byte[] head = ("--" + boundary + "\r\n" + headerLines + "\r\n").getBytes(StandardCharsets.UTF_8);
        parts.add(new Part(head, content, length));
        return this;
    }

    /** The whole body, closing boundary included. */
    public BodyPublisher build() {
        return publisher(true, true);
    }

    /** Cut short: every part complete, but the closing boundary never comes. */
    public BodyPublisher buildWithoutClosingBoundary() {
        return publisher(true, false);
    }

    /** Cut short inside the last part: its content ends without the line break and boundary that close it. */
    public BodyPublisher buildCutInLastPart() {
        return publisher(false, false);
    }

    /** The length of {@link #build()}. */
    public long contentLength() {
        long n = ("--" + boundary + "--\r\n").length();
        for (Part p : parts) {
            n += p.head.length + p.length + CRLF.length;
        }
        return n;
    }

    private BodyPublisher publisher(boolean closeLastPart, boolean closingBoundary) {
        List<BodyPublisher> list = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            list.add(BodyPublishers.ofByteArray(p.head));
            list.add(p.content.get());
            if (i < parts.size() - 1 || closeLastPart) {
                list.add(BodyPublishers.ofByteArray(CRLF));
            }
        }
        if (closingBoundary) {
            list.add(BodyPublishers.ofByteArray(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
        return BodyPublishers.concat(list.toArray(BodyPublisher[]::new));
    }

    private static String fileHead(String name, String fileName) {
        return "Content-Disposition: form-data; name=\"" + quote(name) + "\"; filename=\"" + quote(fileName) + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n";
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}
