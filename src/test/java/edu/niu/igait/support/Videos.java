package edu.niu.igait.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Test videos: the first bytes of a real container of each family the service recognises, followed
 * by random bytes. Written in chunks, so gigabyte files cost no heap.
 */
public final class Videos {

    private static final int CHUNK = 1 << 20;

    private Videos() {
    }

    /** An ISO-BMFF (mp4) file: an {@code ftyp} box, then random bytes; {@code bytes} in total. */
    public static Path mp4(Path file, long bytes) {
        return write(file, header("mp4"), bytes);
    }

    /** A file of the given extension's family (mp4 mov m4v 3gp avi mkv webm wmv flv), {@code bytes} in total. */
    public static Path video(Path file, String ext, long bytes) {
        return write(file, header(ext), bytes);
    }

    /** The same, in memory, for small parts. */
    public static byte[] bytes(String ext, int bytes) {
        return fill(header(ext), bytes);
    }

    /** A JPEG photo's first bytes, then random bytes: what a photo renamed .mp4 looks like. */
    public static byte[] jpeg(int bytes) {
        byte[] head = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00};
        return fill(head, bytes);
    }

    /** The leading bytes of a container of the extension's family. */
    public static byte[] header(String ext) {
        switch (ext.toLowerCase(Locale.ROOT)) {
            case "mp4", "m4v" -> {
                return concat(new byte[] {0, 0, 0, 0x18}, ascii("ftypisom"), new byte[] {0, 0, 2, 0}, ascii("isommp41"));
            }
            case "mov" -> {
                return concat(new byte[] {0, 0, 0, 0x14}, ascii("ftypqt  "), new byte[] {0, 0, 2, 0}, ascii("qt  "));
            }
            case "3gp" -> {
                return concat(new byte[] {0, 0, 0, 0x14}, ascii("ftyp3gp4"), new byte[] {0, 0, 2, 0}, ascii("3gp4"));
            }
            case "avi" -> {
                return concat(ascii("RIFF"), new byte[] {0x24, 0, 0, 0}, ascii("AVI LIST"));
            }
            case "mkv", "webm" -> {
                return new byte[] {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x9F, 0x42, (byte) 0x86, (byte) 0x81, 0x01};
            }
            case "wmv" -> {
                return new byte[] {0x30, 0x26, (byte) 0xB2, 0x75, (byte) 0x8E, 0x66, (byte) 0xCF, 0x11,
                                   (byte) 0xA6, (byte) 0xD9, 0x00, (byte) 0xAA, 0x00, 0x62, (byte) 0xCE, 0x6C};
            }
            case "flv" -> {
                return new byte[] {'F', 'L', 'V', 0x01, 0x05, 0x00, 0x00, 0x00, 0x09};
            }
            default -> throw new IllegalArgumentException("no test header for ." + ext);
        }
    }

    /** A stream of {@code bytes} bytes: the header of {@code ext}, then pseudo-random data, generated as read. */
    public static InputStream stream(String ext, long bytes) {
        byte[] head = header(ext);
        SplittableRandom random = new SplittableRandom();
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes) {
                    return -1;
                }
                int n = (int) Math.min(len, bytes - pos);
                for (int i = 0; i < n; i++) {
                    long at = pos + i;
                    b[off + i] = at < head.length ? head[(int) at] : (byte) random.nextInt(256);
                }
                pos += n;
                return n;
            }
        };
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, byte[] head, long bytes) {
        if (bytes < head.length) {
            throw new IllegalArgumentException("a test video needs at least " + head.length + " bytes");
        }
        SplittableRandom random = new SplittableRandom();
        byte[] buffer = new byte[CHUNK];
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(head);
                long left = bytes - head.length;
                while (left > 0) {
                    int n = (int) Math.min(buffer.length, left);
                    randomize(random, buffer, n);
                    out.write(buffer, 0, n);
                    left -= n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static byte[] fill(byte[] head, int bytes) {
        byte[] out = new byte[Math.max(bytes, head.length)];
        System.arraycopy(head, 0, out, 0, head.length);
        SplittableRandom random = new SplittableRandom();
        byte[] rest = new byte[out.length - head.length];
        randomize(random, rest, rest.length);
        System.arraycopy(rest, 0, out, head.length, rest.length);
        return out;
    }

    private static void randomize(SplittableRandom random, byte[] buffer, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                buffer[i + k] = (byte) (v >>> (8 * k));
            }
        }
        for (; i < n; i++) {
            buffer[i] = (byte) random.nextInt(256);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... arrays) {
        int n = 0;
        for (byte[] a : arrays) {
            n += a.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] a : arrays) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }
}
