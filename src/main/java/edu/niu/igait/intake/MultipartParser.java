package edu.niu.igait.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A streaming multipart/form-data parser (RFC 7578, RFC 2046 section 5.1): bytes go in as they
 * arrive, in chunks of any size; each part's headers and its content come out through a
 * {@link Listener}, the content as slices of the chunks fed in, never copied or gathered. Only
 * the bytes that could be the start of a delimiter at a chunk's end are held back (at most the
 * delimiter's length), so memory does not grow with the size of a part.
 *
 * <p>The delimiter is searched with Boyer-Moore-Horspool: on video bytes it looks at about one
 * byte in every delimiter length, and on any content, whatever boundary the client chose, at no
 * more than about two looks per byte. A delimiter is {@code CRLF--boundary}, and a boundary holds no
 * CR, so a delimiter can only begin at a CR: that is what makes the hold-back at a chunk's end
 * simple.
 *
 * <p>Not thread-safe: one parser per request, fed from one thread at a time.
 */
public final class MultipartParser {

    /** What the parser finds, in order: for each part begin, data (zero or more times), end. */
    public interface Listener {
        void partBegin(PartHeaders headers);

        /**
         * A slice of a chunk fed in (or, for bytes held back from the previous chunk, of a fresh
         * array): it stays valid as long as the chunk's owner does not reuse that chunk.
         */
        void partData(byte[] chunk, int offset, int length);

        void partEnd();
    }

    /** A part's headers, as far as a form needs them. */
    public record PartHeaders(String name, String filename, String contentType) {
        /** A part with a filename parameter is a file, even an empty one, as browsers send them. */
        public boolean isFile() {
            return filename != null;
        }
    }

    /** The body is not well-formed multipart: the message says what was wrong. */
    public static final class MalformedMultipart extends RuntimeException {
        public MalformedMultipart(String message) {
            super(message, null, false, false);
        }
    }

    /** The most header bytes one part may carry. */
    public static final int MAX_HEADER_BYTES = 8192;
    /** RFC 2046 allows 70 characters; clients in the wild stay well under this. */
    public static final int MAX_BOUNDARY_CHARS = 200;

    private enum State { PREAMBLE, AFTER_DELIMITER, PADDING, EXPECT_LF, HEADERS, BODY, CLOSING_DASH, EPILOGUE }

    private final byte[] delimiter;
    private final int[] skip = new int[256];
    private final Listener listener;
    /** Bytes of a possible delimiter held back from the end of the previous chunk: a delimiter prefix. */
    private final byte[] held;
    private int heldLength;
    private final byte[] headerBytes = new byte[MAX_HEADER_BYTES];
    private int headerLength;
    private State state = State.PREAMBLE;
    private long partsSeen;
    private long confirmations;
    /** Set once the body is found malformed: every later feed is refused the same way. */
    private MalformedMultipart malformed;

    public MultipartParser(String boundary, Listener listener) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_CHARS) {
            throw new MalformedMultipart("the multipart boundary must be 1 to " + MAX_BOUNDARY_CHARS + " characters");
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new MalformedMultipart("the multipart boundary may hold printable ASCII characters only");
            }
        }
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.listener = listener;
        this.held = new byte[delimiter.length];
        int m = delimiter.length;
        java.util.Arrays.fill(skip, m);
        for (int i = 0; i < m - 1; i++) {
            skip[delimiter[i] & 0xff] = m - 1 - i;
        }
        // The body is read as if it began with CRLF, so a first delimiter at the very start (the
        // usual case) is found like every other one.
        held[0] = '\r';
        held[1] = '\n';
        heldLength = 2;
    }

    /**
     * The boundary parameter of a multipart Content-Type, unquoted; empty if there is none.
     */
    public static Optional<String> boundary(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        for (String param : splitParams(contentType)) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String value = unquote(param.substring(eq + 1).trim());
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** True once the closing delimiter has been read: the form is complete. */
    public boolean finished() {
        return state == State.EPILOGUE;
    }

    /** Parts begun so far. */
    public long partsSeen() {
        return partsSeen;
    }

    /** Feeds the next bytes of the body. */
    public void feed(byte[] chunk, int offset, int length) {
        if (malformed != null) {
            throw malformed;
        }
        try {
            parse(chunk, offset, length);
        } catch (MalformedMultipart e) {
            malformed = e;
            throw e;
        }
    }

    private void parse(byte[] chunk, int offset, int length) {
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            switch (state) {
                case PREAMBLE, BODY -> pos = scan(chunk, pos, end);
                case AFTER_DELIMITER -> {
                    byte b = chunk[pos++];
                    if (b == '-') {
                        state = State.CLOSING_DASH;
                    } else if (b == '\r') {
                        state = State.EXPECT_LF;
                    } else if (b == ' ' || b == '\t') {
                        state = State.PADDING;
                    } else {
                        throw new MalformedMultipart("a multipart delimiter is followed by neither CRLF nor \"--\"");
                    }
                }
                case PADDING -> {
                    byte b = chunk[pos++];
                    if (b == '\r') {
                        state = State.EXPECT_LF;
                    } else if (b != ' ' && b != '\t') {
                        throw new MalformedMultipart("a multipart delimiter is followed by neither CRLF nor \"--\"");
                    }
                }
                case EXPECT_LF -> {
                    if (chunk[pos++] != '\n') {
                        throw new MalformedMultipart("a multipart delimiter line does not end with CRLF");
                    }
                    state = State.HEADERS;
                    headerLength = 0;
                }
                case CLOSING_DASH -> {
                    if (chunk[pos++] != '-') {
                        throw new MalformedMultipart("a multipart delimiter is followed by neither CRLF nor \"--\"");
                    }
                    state = State.EPILOGUE;
                }
                case HEADERS -> pos = headers(chunk, pos, end);
                case EPILOGUE -> pos = end;
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** Searches for the delimiter, handing what precedes it to the part (in BODY) or dropping it (PREAMBLE). */
    private int scan(byte[] chunk, int pos, int end) {
        int m = delimiter.length;
        if (heldLength > 0) {
            // The held bytes are a delimiter prefix; see whether this chunk completes it.
            int need = m - heldLength;
            int avail = Math.min(need, end - pos);
            boolean matches = true;
            for (int i = 0; i < avail; i++) {
                if (chunk[pos + i] != delimiter[heldLength + i]) {
                    matches = false;
                    break;
                }
            }
            if (matches && avail == need) {
                heldLength = 0;
                delimiterFound();
                return pos + need;
            }
            if (matches) {
                System.arraycopy(chunk, pos, held, heldLength, avail);
                heldLength += avail;
                return end;
            }
            // Not a delimiter after all: the held bytes are content. The only CR in a delimiter is
            // its first byte, so no delimiter can start later inside them.
            if (state == State.BODY) {
                // A copy: the held array is reused, and a listener may keep what it is given.
                listener.partData(java.util.Arrays.copyOf(held, heldLength), 0, heldLength);
            }
            heldLength = 0;
        }
        int found = indexOf(chunk, pos, end);
        if (found >= 0) {
            if (state == State.BODY && found > pos) {
                listener.partData(chunk, pos, found - pos);
            }
            delimiterFound();
            return found + m;
        }
        // No whole delimiter here: hold back a tail that may be the start of one.
        int tail = Math.max(pos, end - (m - 1));
        int cr = -1;
        for (int i = end - 1; i >= tail; i--) {
            if (chunk[i] == '\r') {
                cr = i;
                break;
            }
        }
        int contentEnd = end;
        if (cr >= 0) {
            int n = end - cr;
            boolean prefix = true;
            for (int i = 1; i < n; i++) {
                if (chunk[cr + i] != delimiter[i]) {
                    prefix = false;
                    break;
                }
            }
            if (prefix) {
                System.arraycopy(chunk, cr, held, 0, n);
                heldLength = n;
                contentEnd = cr;
            }
        }
        if (state == State.BODY && contentEnd > pos) {
            listener.partData(chunk, pos, contentEnd - pos);
        }
        return end;
    }

    /** Boyer-Moore-Horspool search for the whole delimiter inside [from, end). */
    private int indexOf(byte[] chunk, int from, int end) {
        int m = delimiter.length;
        int last = m - 1;
        int i = from;
        int limit = end - m;
        while (i <= limit) {
            byte b = chunk[i + last];
            // A candidate is confirmed from its CR forwards: the boundary holds no CR, so a
            // confirmation stops at the next CR at the latest, and however the client chose its
            // boundary and its content, confirmations cost at most one look per byte in all.
            if (b == delimiter[last] && chunk[i] == '\r') {
                int j = 1;
                while (j < last && chunk[i + j] == delimiter[j]) {
                    j++;
                }
                confirmations += j;
                if (j == last) {
                    return i;
                }
            }
            i += skip[b & 0xff];
        }
        return -1;
    }

    /** Bytes looked at so far to confirm delimiter candidates (at most about the bytes fed). */
    long confirmations() {
        return confirmations;
    }

    private void delimiterFound() {
        if (state == State.BODY) {
            listener.partEnd();
        }
        state = State.AFTER_DELIMITER;
    }

    /** Collects a part's header block up to its empty line, then parses it. */
    private int headers(byte[] chunk, int pos, int end) {
        while (pos < end) {
            if (headerLength == MAX_HEADER_BYTES) {
                throw new MalformedMultipart("a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
            }
            byte b = chunk[pos++];
            headerBytes[headerLength++] = b;
            if (b == '\n' && endOfHeaders()) {
                state = State.BODY;
                partsSeen++;
                listener.partBegin(parseHeaders(new String(headerBytes, 0, headerLength, StandardCharsets.UTF_8)));
                return pos;
            }
        }
        return pos;
    }

    private boolean endOfHeaders() {
        int n = headerLength;
        if (n == 2 && headerBytes[0] == '\r') {
            throw new MalformedMultipart("a part has no headers: each part needs a Content-Disposition with its name");
        }
        return n >= 4 && headerBytes[n - 2] == '\r' && headerBytes[n - 3] == '\n' && headerBytes[n - 4] == '\r';
    }

    static PartHeaders parseHeaders(String block) {
        String disposition = null;
        String contentType = null;
        List<StringBuilder> lines = new ArrayList<>();
        for (String line : block.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !lines.isEmpty()) {
                lines.get(lines.size() - 1).append(' ').append(line.strip());
            } else {
                lines.add(new StringBuilder(line));
            }
        }
        for (StringBuilder folded : lines) {
            String line = folded.toString();
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipart("a part header is not of the form 'Name: value'");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-disposition")) {
                disposition = value;
            } else if (name.equals("content-type")) {
                contentType = value;
            }
        }
        if (disposition == null) {
            throw new MalformedMultipart("a part has no Content-Disposition header: each part needs one with its name");
        }
        List<String> params = splitParams(disposition);
        if (params.isEmpty() || !params.get(0).trim().equalsIgnoreCase("form-data")) {
            throw new MalformedMultipart("a part's Content-Disposition is not form-data");
        }
        String fieldName = null;
        String filename = null;
        String extendedFilename = null;
        for (String param : params.subList(1, params.size())) {
            int eq = param.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = param.substring(eq + 1).trim();
            switch (key) {
                case "name" -> fieldName = unquote(value);
                case "filename" -> filename = unquote(value);
                case "filename*" -> extendedFilename = extendedValue(value);
                default -> { }
            }
        }
        if (fieldName == null || fieldName.isEmpty()) {
            throw new MalformedMultipart("a part's Content-Disposition has no name");
        }
        if (extendedFilename != null) {
            filename = extendedFilename;
        }
        return new PartHeaders(fieldName, filename, contentType);
    }

    /** Splits header parameters at semicolons outside quoted strings. */
    private static List<String> splitParams(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\' && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                out.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().trim());
        }
        return out;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            StringBuilder out = new StringBuilder(value.length());
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                // A backslash escapes the next character; browsers send a Windows path's backslashes bare.
                if (c == '\\' && i + 1 < value.length() - 1 && (value.charAt(i + 1) == '"' || value.charAt(i + 1) == '\\')) {
                    c = value.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        return value;
    }

    /** RFC 5987: {@code charset'language'percent-encoded}; UTF-8 and ISO-8859-1 as the RFC requires. */
    private static String extendedValue(String value) {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) {
            return null;
        }
        String charset = value.substring(0, first).trim();
        java.nio.charset.Charset cs = charset.equalsIgnoreCase("iso-8859-1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        String encoded = value.substring(second + 1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '%') {
                return null;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(cs);
    }
}
