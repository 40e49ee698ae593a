package edu.niu.igait.intake;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Video container families, recognised by their first bytes, so that a photo renamed {@code .mp4}
 * is refused at the door rather than by the model hours later.
 */
public enum VideoFormat {
    /** ISO base media (mp4, m4v, 3gp) and QuickTime: a box whose type is {@code ftyp} at offset 4. */
    ISO_BMFF("mp4", "mov", "m4v", "3gp") {
        @Override
        boolean matches(byte[] h, int n, String ext) {
            if (n >= 8 && ascii(h, 4, "ftyp")) {
                return true;
            }
            // Old QuickTime files start with a movie, data or free-space atom instead of ftyp.
            return "mov".equals(ext) && n >= 8
                    && (ascii(h, 4, "moov") || ascii(h, 4, "mdat") || ascii(h, 4, "wide")
                        || ascii(h, 4, "free") || ascii(h, 4, "skip"));
        }
    },
    AVI("avi") {
        @Override
        boolean matches(byte[] h, int n, String ext) {
            return n >= 12 && ascii(h, 0, "RIFF") && ascii(h, 8, "AVI ");
        }
    },
    /** EBML, the container of Matroska and WebM. */
    EBML("mkv", "webm") {
        @Override
        boolean matches(byte[] h, int n, String ext) {
            return n >= 4 && (h[0] & 0xff) == 0x1A && (h[1] & 0xff) == 0x45 && (h[2] & 0xff) == 0xDF
                    && (h[3] & 0xff) == 0xA3;
        }
    },
    /** Advanced Systems Format (wmv): the ASF header object's GUID. */
    ASF("wmv") {
        private final int[] guid = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                    0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};

        @Override
        boolean matches(byte[] h, int n, String ext) {
            if (n < guid.length) {
                return false;
            }
            for (int i = 0; i < guid.length; i++) {
                if ((h[i] & 0xff) != guid[i]) {
                    return false;
                }
            }
            return true;
        }
    },
    FLV("flv") {
        @Override
        boolean matches(byte[] h, int n, String ext) {
            return n >= 3 && ascii(h, 0, "FLV");
        }
    };

    /** How many leading bytes {@link #matches} needs at most. */
    public static final int HEADER_BYTES = 16;

    private final String[] extensions;

    VideoFormat(String... extensions) {
        this.extensions = extensions;
    }

    abstract boolean matches(byte[] header, int length, String ext);

    public static Optional<VideoFormat> forExtension(String ext) {
        String e = ext.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> Arrays.asList(f.extensions).contains(e)).findFirst();
    }

    /** Whether the header bytes are those of a file of this extension's family. */
    public static boolean headerMatches(String ext, byte[] header, int length) {
        return forExtension(ext).map(f -> f.matches(header, length, ext.toLowerCase(Locale.ROOT))).orElse(false);
    }

    private static boolean ascii(byte[] h, int offset, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (h[offset + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
