package edu.niu.igait.intake;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import edu.niu.igait.intake.MultipartParser.MalformedMultipart;
import edu.niu.igait.intake.MultipartParser.PartHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streaming multipart parser gives the same parts whatever the chunking of the body: whole, a
 * byte at a time, split in two at every position, and in random chunk sizes. Every chunk is fed
 * from inside a larger array (at an offset) and overwritten with CRs as soon as feed returns, so a
 * parser that kept a reference to a chunk past the call would hand out wrong bytes.
 */
class MultipartParserTest {

    private static final String CURL_BOUNDARY = "------------------------d74496d66958873e";
    private static final String BROWSER_BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    private static final int RANDOM_SEEDS = 500;

    // ---------------------------------------------------------------------------------------
    // What the listener saw, and ways to feed a body.

    /** A part as the listener saw it; the content as ISO-8859-1 so every byte is one char and diffs are readable. */
    record Part(String name, String filename, String contentType, String content) {
        static Part field(String name, String value) {
            return new Part(name, null, null, latin1(value.getBytes(StandardCharsets.UTF_8)));
        }

        static Part file(String name, String filename, String contentType, byte[] content) {
            return new Part(name, filename, contentType, latin1(content));
        }
    }

    /** Records parts, copying each slice (valid only during the call), and checks the begin/data/end order. */
    static final class Collector implements MultipartParser.Listener {
        final List<Part> parts = new ArrayList<>();
        final List<PartHeaders> headers = new ArrayList<>();
        private PartHeaders open;
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();

        @Override
        public void partBegin(PartHeaders h) {
            // Plain checks, not AssertJ: these run for every slice of thousands of parses.
            if (open != null || h == null) {
                throw new AssertionError("partBegin inside an open part, or without headers");
            }
            open = h;
            headers.add(h);
            content.reset();
        }

        @Override
        public void partData(byte[] chunk, int offset, int length) {
            if (open == null) {
                throw new AssertionError("partData outside a part");
            }
            if (offset < 0 || length < 0 || offset + length > chunk.length) {
                throw new AssertionError("partData slice out of its array: " + offset + "+" + length + " of " + chunk.length);
            }
            content.write(chunk, offset, length);
        }

        @Override
        public void partEnd() {
            if (open == null) {
                throw new AssertionError("partEnd without partBegin");
            }
            parts.add(new Part(open.name(), open.filename(), open.contentType(), latin1(content.toByteArray())));
            open = null;
        }

        boolean partOpen() {
            return open != null;
        }

        /** The content handed out so far for the part still open. */
        String openContent() {
            return latin1(content.toByteArray());
        }
    }

    record Result(List<Part> parts, boolean finished, boolean partOpen, long partsSeen, Collector collector) {
    }

    /**
     * Feeds {@code body} in chunks whose sizes {@code sizes} gives, each copied into a fresh array
     * at offset 3 and overwritten with CRs once feed returns.
     */
    static Result parse(String boundary, byte[] body, IntSupplier sizes) {
        Collector collector = new Collector();
        MultipartParser parser = new MultipartParser(boundary, collector);
        feed(parser, body, 0, body.length, sizes);
        return new Result(collector.parts, parser.finished(), collector.partOpen(), parser.partsSeen(), collector);
    }

    static void feed(MultipartParser parser, byte[] body, int from, int to, IntSupplier sizes) {
        int pos = from;
        while (pos < to) {
            int n = Math.min(Math.max(1, sizes.getAsInt()), to - pos);
            byte[] buffer = new byte[n + 7];
            Arrays.fill(buffer, (byte) 'x');
            System.arraycopy(body, pos, buffer, 3, n);
            parser.feed(buffer, 3, n);
            Arrays.fill(buffer, (byte) '\r');
            pos += n;
        }
    }

    static Result parseWhole(String boundary, byte[] body) {
        return parse(boundary, body, () -> body.length);
    }

    static Result parseBytewise(String boundary, byte[] body) {
        return parse(boundary, body, () -> 1);
    }

    static Result parseSplitAt(String boundary, byte[] body, int split) {
        Collector collector = new Collector();
        MultipartParser parser = new MultipartParser(boundary, collector);
        feed(parser, body, 0, split, () -> split);
        feed(parser, body, split, body.length, () -> body.length - split);
        return new Result(collector.parts, parser.finished(), collector.partOpen(), parser.partsSeen(), collector);
    }

    /** Random chunk sizes; the largest size is chosen per seed so small, delimiter-sized and large chunks all occur. */
    static IntSupplier randomSizes(long seed, int delimiterLength, int bodyLength) {
        Random random = new Random(seed);
        int[] maxima = {2, 3, delimiterLength - 1, delimiterLength, delimiterLength + 1, 2 * delimiterLength, 64, 700, bodyLength};
        int max = Math.max(1, maxima[random.nextInt(maxima.length)]);
        return () -> 1 + random.nextInt(max);
    }

    /** Whole, a byte at a time, split at every position (small bodies), and 500 random chunkings: all give {@code expected}. */
    static void assertParsesUnderEveryChunking(String boundary, byte[] body, List<Part> expected) {
        assertParsed(parseWhole(boundary, body), expected, "whole");
        assertParsed(parseBytewise(boundary, body), expected, "one byte at a time");
        if (body.length <= 8192) {
            for (int split = 1; split < body.length; split++) {
                assertParsed(parseSplitAt(boundary, body, split), expected, "split at " + split);
            }
        }
        int delimiterLength = boundary.length() + 4;
        for (long seed = 0; seed < RANDOM_SEEDS; seed++) {
            assertParsed(parse(boundary, body, randomSizes(seed, delimiterLength, body.length)), expected, "random chunks, seed " + seed);
        }
    }

    static void assertParsed(Result result, List<Part> expected, String chunking) {
        assertThat(result.parts()).as("parts, %s", chunking).containsExactlyElementsOf(expected);
        assertThat(result.finished()).as("finished(), %s", chunking).isTrue();
        assertThat(result.partOpen()).as("a part left open, %s", chunking).isFalse();
        assertThat(result.partsSeen()).as("partsSeen(), %s", chunking).isEqualTo(expected.size());
    }

    static void assertMalformedUnderEveryChunking(String boundary, byte[] body) {
        assertThatThrownBy(() -> parseWhole(boundary, body)).as("whole").isInstanceOf(MalformedMultipart.class);
        assertThatThrownBy(() -> parseBytewise(boundary, body)).as("one byte at a time").isInstanceOf(MalformedMultipart.class);
        for (long seed = 0; seed < 50; seed++) {
            long s = seed;
            assertThatThrownBy(() -> parse(boundary, body, randomSizes(s, boundary.length() + 4, body.length)))
                    .as("random chunks, seed %d", seed).isInstanceOf(MalformedMultipart.class);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Bodies as clients send them.

    /** Builds a multipart body and the parts it should yield. */
    static final class Form {
        private final String boundary;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<Part> expected = new ArrayList<>();
        private String padding = "";
        private boolean closed;

        Form(String boundary) {
            this.boundary = boundary;
        }

        /** Raw bytes before the first delimiter; a delimiter's CRLF follows them. */
        Form preamble(String text) {
            raw(text + "\r\n");
            return this;
        }

        /** Transport padding written after each later delimiter. */
        Form padding(String whitespace) {
            this.padding = whitespace;
            return this;
        }

        Form field(String name, String value) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"\r\n",
                    value.getBytes(StandardCharsets.UTF_8), Part.field(name, value));
        }

        Form file(String name, String filename, String contentType, byte[] content) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n"
                    + "Content-Type: " + contentType + "\r\n", content, Part.file(name, filename, contentType, content));
        }

        /** A part with the given header lines (each ending in CRLF) and the part it should yield. */
        Form part(String headerLines, byte[] content, Part expectedPart) {
            byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            if (indexOf(content, delimiter) >= 0) {
                throw new IllegalArgumentException("test content holds the delimiter");
            }
            delimiterLine();
            raw(headerLines);
            raw("\r\n");
            out.writeBytes(content);
            raw("\r\n");
            expected.add(expectedPart);
            return this;
        }

        private void delimiterLine() {
            raw("--" + boundary + padding + "\r\n");
        }

        /** The closing delimiter; {@code epilogue} (may be empty) follows it after a CRLF. */
        Form close(String epilogue) {
            raw("--" + boundary + "--");
            if (!epilogue.isEmpty()) {
                raw("\r\n" + epilogue);
            }
            closed = true;
            return this;
        }

        Form raw(String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        byte[] bytes() {
            if (!closed) {
                close("");
            }
            return out.toByteArray();
        }

        List<Part> parts() {
            return List.copyOf(expected);
        }
    }

    static byte[] randomBytes(long seed, int n) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] concat(byte[]... arrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] a : arrays) {
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    /** One part whose Content-Disposition (and further header lines) are given; its content is "v". */
    static PartHeaders headersOf(String headerLines) {
        byte[] body = utf8("--b\r\n" + headerLines + "\r\nv\r\n--b--\r\n");
        Result whole = parseWhole("b", body);
        Result bytewise = parseBytewise("b", body);
        assertThat(bytewise.collector().headers).isEqualTo(whole.collector().headers);
        assertThat(whole.parts()).extracting(Part::content).containsExactly("v");
        return whole.collector().headers.get(0);
    }

    // ---------------------------------------------------------------------------------------
    // 2. The same parts under every chunking.

    @Test
    void aCurlStyleFormParsesTheSameUnderEveryChunking() {
        Form form = new Form(CURL_BOUNDARY)
                .field("uid", "parent_Uid-0042")
                .field("age", "7")
                .field("ethnicity", "Quechua and Basque — ñandú")
                .file("fileuploadfront", "front.mp4", "video/mp4", randomBytes(1, 1500))
                .file("fileuploadside", "side.mov", "video/quicktime", randomBytes(2, 700))
                .field("email", "parent.of.kid@example.org");
        assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), form.parts());
    }

    @Test
    void aBrowserStyleFormParsesTheSameUnderEveryChunking() {
        Form form = new Form(BROWSER_BOUNDARY)
                .field("sex", "F")
                .file("fileuploadfront", "walk front.mp4", "video/mp4", randomBytes(3, 2000))
                .field("height", "4 ft 2 in");
        assertParsesUnderEveryChunking(BROWSER_BOUNDARY, form.bytes(), form.parts());
    }

    @Test
    void emptyFieldsAndEmptyFilesAreParts() {
        Form form = new Form(CURL_BOUNDARY)
                .field("empty", "")
                .file("nofile", "", "application/octet-stream", new byte[0])
                .file("emptyfile", "e.mp4", "video/mp4", new byte[0])
                .field("after", "x");
        assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), form.parts());
        assertThat(parseWhole(CURL_BOUNDARY, form.bytes()).parts()).extracting(Part::content).containsExactly("", "", "", "x");
    }

    @Test
    void aFormWithManySmallPartsParsesTheSameUnderEveryChunking() {
        Form form = new Form("xyz");
        for (int i = 0; i < 40; i++) {
            form.field("f" + i, "v".repeat(i % 5));
        }
        assertParsesUnderEveryChunking("xyz", form.bytes(), form.parts());
    }

    @Test
    void zeroLengthFeedsChangeNothing() {
        Form form = new Form(CURL_BOUNDARY).field("a", "1").file("f", "f.bin", "application/octet-stream", randomBytes(4, 300));
        byte[] body = form.bytes();
        Collector collector = new Collector();
        MultipartParser parser = new MultipartParser(CURL_BOUNDARY, collector);
        for (int i = 0; i < body.length; i++) {
            parser.feed(body, i, 0);
            parser.feed(body, i, 1);
            parser.feed(new byte[0], 0, 0);
        }
        assertThat(collector.parts).containsExactlyElementsOf(form.parts());
        assertThat(parser.finished()).isTrue();
    }

    // ---------------------------------------------------------------------------------------
    // 3. Content that looks like a delimiter.

    static Stream<Arguments> delimiterLookalikes() {
        List<Arguments> cases = new ArrayList<>();
        for (String boundary : List.of(CURL_BOUNDARY, "b", "-", "AaB03x")) {
            List<String> contents = new ArrayList<>();
            for (int k : prefixLengths(boundary.length())) {
                String prefix = "\r\n--" + boundary.substring(0, k);
                contents.add(prefix + "Z");                 // a delimiter prefix, then a byte that ends it
                contents.add("abc" + prefix + "\r\n--" + boundary.substring(0, k) + "\r"); // prefix, then another one, then a lone CR
                contents.add("abc" + prefix);               // ends right before the real delimiter
                contents.add(prefix);                       // the whole content is a delimiter prefix
            }
            contents.add("\r\n--" + boundary.substring(0, boundary.length() - 1) + "\n");
            contents.add("\r");
            contents.add("\r\n");
            contents.add("\r\n-");
            contents.add("\r\n--");
            contents.add("x\r");
            contents.add("x\r\n-");
            contents.add("x\r\n--");
            contents.add("\r".repeat(200));
            contents.add("\r\n".repeat(100));
            contents.add("\r\r\n\r\n-\r\n--\r\r\r\n--" + boundary.substring(0, boundary.length() - 1) + "\r\r\n");
            contents.add("--" + boundary);                  // no CRLF before it: content
            contents.add("--" + boundary + "--");
            contents.add("x--" + boundary + "\r\n");
            contents.add("\n--" + boundary);                // LF without CR
            contents.add("\r--" + boundary);                // CR without LF
            contents.add("\r\r\n-" + "-" + boundary.substring(0, boundary.length() - 1));
            contents.add("\r\n\r\n");                       // a blank line, as ends headers
            contents.add("--" + boundary + "\r\nContent-Disposition: form-data; name=\"fake\"\r\n\r\nfake");
            for (String content : contents) {
                cases.add(Arguments.of(boundary, content));
            }
        }
        return cases.stream();
    }

    /** Every prefix length of a short boundary; of a long one the first few, a middle one and the last few. */
    static List<Integer> prefixLengths(int boundaryLength) {
        return java.util.stream.IntStream.range(0, boundaryLength)
                .filter(k -> boundaryLength <= 8 || k < 3 || k == boundaryLength / 2 || k >= boundaryLength - 3)
                .boxed().toList();
    }

    @ParameterizedTest(name = "[{index}] boundary {0}")
    @MethodSource("delimiterLookalikes")
    void contentThatLooksLikeADelimiterIsContent(String boundary, String lookalike) {
        byte[] content = latin1(lookalike);
        Form form = new Form(boundary)
                .file("alone", "a.bin", "application/octet-stream", content)
                .field("before", "1")
                .file("middle", "m.bin", "application/octet-stream", concat(randomBytes(5, 40), content, randomBytes(6, 40)))
                .file("end", "e.bin", "application/octet-stream", concat(randomBytes(7, 40), content))
                .file("start", "s.bin", "application/octet-stream", concat(content, randomBytes(8, 40)));
        assertParsesUnderEveryChunking(boundary, form.bytes(), form.parts());
    }

    // ---------------------------------------------------------------------------------------
    // 4. Preamble, epilogue, a CRLF before the first delimiter.

    @Test
    void aPreambleIsIgnored() {
        Form form = new Form(CURL_BOUNDARY)
                .preamble("This is a multi-part message in MIME format.\r\n--" + CURL_BOUNDARY.substring(1) + "\r\nx--" + CURL_BOUNDARY + "\r")
                .field("a", "1")
                .file("f", "f.bin", "application/octet-stream", randomBytes(9, 200));
        assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), form.parts());
    }

    @Test
    void anEpilogueIsIgnoredEvenIfItLooksLikeMoreParts() {
        Form form = new Form(CURL_BOUNDARY)
                .field("a", "1")
                .close("epilogue\r\n--" + CURL_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nlate\r\n--"
                        + CURL_BOUNDARY + "--\r\n garbage \u0000\r\n--" + CURL_BOUNDARY + "X");
        assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), form.parts());
    }

    @Test
    void aClosingDelimiterWithTrailingCrlfOrPaddingFinishes() {
        for (String tail : List.of("", "\r\n", "  \r\n", "\t", "--")) {
            byte[] body = utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--" + tail);
            assertParsesUnderEveryChunking("b", body, List.of(Part.field("a", "1")));
        }
    }

    @Test
    void aFirstDelimiterAtTheVeryStartIsFound() {
        byte[] body = new Form(CURL_BOUNDARY).field("a", "1").bytes();
        assertThat(latin1(body)).startsWith("--" + CURL_BOUNDARY + "\r\n");
        assertParsesUnderEveryChunking(CURL_BOUNDARY, body, List.of(Part.field("a", "1")));
    }

    @Test
    void aCrlfBeforeTheFirstDelimiterIsAccepted() {
        Form form = new Form(CURL_BOUNDARY).raw("\r\n").field("a", "1").file("f", "f.bin", "video/mp4", randomBytes(10, 100));
        byte[] body = form.bytes();
        assertThat(latin1(body)).startsWith("\r\n--" + CURL_BOUNDARY + "\r\n");
        assertParsesUnderEveryChunking(CURL_BOUNDARY, body, form.parts());
    }

    @Test
    void preamblesThatEndInCrsOrDelimiterPrefixesAreIgnored() {
        for (String preamble : List.of("\r", "\r\r", "\r\n", "\r\n-", "\r\n--", "\r\n--" + CURL_BOUNDARY.substring(0, 10), "-", "--")) {
            Form form = new Form(CURL_BOUNDARY).raw(preamble).raw("\r\n").field("a", "1");
            assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), form.parts());
        }
    }

    @Test
    void aBodyThatIsOnlyAClosingDelimiterFinishesWithNoParts() {
        assertParsesUnderEveryChunking("b", utf8("--b--\r\n"), List.of());
    }

    // ---------------------------------------------------------------------------------------
    // 5. Transport padding.

    @Test
    void transportPaddingAfterADelimiterIsAccepted() {
        Form form = new Form(CURL_BOUNDARY)
                .raw("--" + CURL_BOUNDARY + " \t \r\n")
                .raw("Content-Disposition: form-data; name=\"first\"\r\n\r\n1\r\n")
                .padding("\t \t")
                .field("a", "1")
                .file("f", "f.bin", "video/mp4", randomBytes(11, 100))
                .padding(" ")
                .field("b", "2");
        List<Part> expected = new ArrayList<>();
        expected.add(Part.field("first", "1"));
        expected.addAll(form.parts());
        assertParsesUnderEveryChunking(CURL_BOUNDARY, form.bytes(), expected);
    }

    // ---------------------------------------------------------------------------------------
    // 6. A body cut short is not finished.

    @Test
    void noProperPrefixOfABodyIsFinishedAndEachGivesAPrefixOfTheParts() {
        Form form = new Form("AaB03x")
                .field("a", "1")
                .file("f", "f.bin", "application/octet-stream", latin1("\r\n--AaB03\r\r\nx"))
                .field("b", "")
                .close("\r\nepilogue");
        byte[] body = form.bytes();
        List<Part> expected = form.parts();
        int closingEnd = latin1(body).lastIndexOf("--AaB03x--") + "--AaB03x--".length();
        for (int length = 0; length <= body.length; length++) {
            byte[] prefix = Arrays.copyOf(body, length);
            for (Result result : List.of(parseWhole("AaB03x", prefix), parseBytewise("AaB03x", prefix))) {
                assertThat(result.finished()).as("finished() after %d of %d bytes", length, body.length).isEqualTo(length >= closingEnd);
                assertThat(result.parts().size()).as("parts after %d bytes", length).isLessThanOrEqualTo(expected.size());
                assertThat(result.parts()).as("parts after %d bytes", length).isEqualTo(expected.subList(0, result.parts().size()));
                if (result.partOpen()) {
                    Part next = expected.get(result.parts().size());
                    assertThat(next.content()).as("content after %d bytes", length).startsWith(result.collector().openContent());
                }
            }
        }
    }

    @Test
    void aBodyWithoutClosingDelimiterIsNotFinished() {
        byte[] body = utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.mp4\"\r\n\r\nvideo bytes\r\n");
        for (Result result : List.of(parseWhole("b", body), parseBytewise("b", body))) {
            assertThat(result.finished()).isFalse();
            assertThat(result.parts()).containsExactly(Part.field("a", "1"));
            assertThat(result.partOpen()).isTrue();
            assertThat(result.collector().openContent()).isEqualTo("video bytes");
        }
    }

    @Test
    void aBodyEndingInTheClosingDelimiterLessItsLastDashIsNotFinished() {
        byte[] body = utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b-");
        assertThat(parseWhole("b", body).finished()).isFalse();
        assertThat(parseWhole("b", body).parts()).containsExactly(Part.field("a", "1"));
    }

    @Test
    void anEmptyBodyOrOnlyAPreambleIsNotFinished() {
        assertThat(parseWhole("b", new byte[0]).finished()).isFalse();
        assertThat(parseWhole("b", utf8("just text, no delimiter at all\r\n-")).finished()).isFalse();
        assertThat(parseWhole("b", utf8("just text, no delimiter at all\r\n-")).partsSeen()).isZero();
    }

    // ---------------------------------------------------------------------------------------
    // 7. Malformed bodies and boundaries.

    @Test
    void aPartWithoutHeadersIsMalformed() {
        assertMalformedUnderEveryChunking("b", utf8("--b\r\n\r\ncontent\r\n--b--\r\n"));
    }

    @Test
    void aPartWithoutContentDispositionIsMalformed() {
        assertMalformedUnderEveryChunking("b", utf8("--b\r\nContent-Type: text/plain\r\n\r\ncontent\r\n--b--\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "attachment; name=\"a\"",
        "inline; name=\"a\"",
        "form-datax; name=\"a\"",
        "name=\"a\"",
        "",
        "form-data",
        "form-data; filename=\"a.mp4\"",
        "form-data; name=\"\"",
        "form-data; name=",
        "form-data; name",
        "form-data; filename*=UTF-8''a.mp4",
    })
    void aContentDispositionThatIsNotFormDataWithANameIsMalformed(String disposition) {
        assertMalformedUnderEveryChunking("b", utf8("--b\r\nContent-Disposition: " + disposition + "\r\n\r\nv\r\n--b--\r\n"));
    }

    @Test
    void aHeaderLineWithoutColonIsMalformed() {
        assertMalformedUnderEveryChunking("b", utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nno colon here\r\n\r\nv\r\n--b--\r\n"));
        assertMalformedUnderEveryChunking("b", utf8("--b\r\n: form-data; name=\"a\"\r\n\r\nv\r\n--b--\r\n"));
    }

    /** A part's header block (its blank line included) of exactly {@code size} bytes. */
    static String headerBlockOf(int size) {
        String start = "Content-Disposition: form-data; name=\"a\"\r\nX-Padding: ";
        String end = "\r\n\r\n";
        return start + "p".repeat(size - start.length() - end.length()) + end;
    }

    @Test
    void aHeaderBlockOfMaxHeaderBytesIsAcceptedAndOneByteMoreIsMalformed() {
        String atLimit = headerBlockOf(MultipartParser.MAX_HEADER_BYTES);
        assertThat(utf8(atLimit)).hasSize(MultipartParser.MAX_HEADER_BYTES);
        byte[] accepted = utf8("--b\r\n" + atLimit + "v\r\n--b--");
        assertThat(parseWhole("b", accepted).parts()).containsExactly(Part.field("a", "v"));
        assertThat(parse("b", accepted, randomSizes(1, 5, accepted.length)).parts()).containsExactly(Part.field("a", "v"));

        String over = headerBlockOf(MultipartParser.MAX_HEADER_BYTES + 1);
        assertMalformedUnderEveryChunking("b", utf8("--b\r\n" + over + "v\r\n--b--"));
    }

    @Test
    void aHeaderBlockThatNeverEndsIsMalformedOnceOverTheLimit() {
        byte[] body = utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n" + "X: y\r\n".repeat(5000));
        assertMalformedUnderEveryChunking("b", body);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--bX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--",
        "--b-X\r\n",
        "--b \tX\r\n",
        "--b\rX\r\n",
        "--b\n\r\n",
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--bX\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b-\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b \r \r\n--b--",
    })
    void garbageAfterADelimiterIsMalformed(String body) {
        assertMalformedUnderEveryChunking("b", utf8(body));
    }

    @Test
    void garbageAfterALongDelimiterInsideAFileIsMalformed() {
        byte[] body = concat(utf8("--" + CURL_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n"),
                randomBytes(12, 300), utf8("\r\n--" + CURL_BOUNDARY + "0\r\n"), randomBytes(13, 300), utf8("\r\n--" + CURL_BOUNDARY + "--"));
        assertMalformedUnderEveryChunking(CURL_BOUNDARY, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\rb", "a\nb", "ab\r", "tab\there", "caf\u00e9", "\u20ac", "nul\u0000", "del\u007f"})
    void aBadBoundaryIsRefused(String boundary) {
        assertThatThrownBy(() -> new MultipartParser(boundary, new Collector())).isInstanceOf(MalformedMultipart.class);
    }

    @Test
    void aBoundaryOfMoreThanMaxBoundaryCharsOrNullIsRefused() {
        assertThatThrownBy(() -> new MultipartParser("x".repeat(MultipartParser.MAX_BOUNDARY_CHARS + 1), new Collector()))
                .isInstanceOf(MalformedMultipart.class);
        assertThatThrownBy(() -> new MultipartParser(null, new Collector())).isInstanceOf(MalformedMultipart.class);
        assertThatCode(() -> new MultipartParser("x".repeat(MultipartParser.MAX_BOUNDARY_CHARS), new Collector())).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------------------------------
    // 8. Part headers.

    @Test
    void aQuotedNameMayHoldEscapedQuotesAndSemicolons() {
        PartHeaders h = headersOf("Content-Disposition: form-data; name=\"say \\\"hi\\\"; twice\"; filename=\"a\\\\b.mp4\"\r\n");
        assertThat(h.name()).isEqualTo("say \"hi\"; twice");
        assertThat(h.filename()).isEqualTo("a\\b.mp4");
    }

    @Test
    void anUnquotedTokenIsAName() {
        PartHeaders h = headersOf("Content-Disposition: form-data; name=age; filename=walk.mp4\r\n");
        assertThat(h.name()).isEqualTo("age");
        assertThat(h.filename()).isEqualTo("walk.mp4");
    }

    @Test
    void parametersMayComeInAnyOrder() {
        PartHeaders h = headersOf("Content-Disposition: form-data; filename=\"front.mp4\"; name=\"fileuploadfront\"\r\nContent-Type: video/mp4\r\n");
        assertThat(h).isEqualTo(new PartHeaders("fileuploadfront", "front.mp4", "video/mp4"));
    }

    @Test
    void headerAndParameterNamesAreCaseInsensitive() {
        PartHeaders h = headersOf("CONTENT-DISPOSITION: Form-Data; NAME=\"a\"; FileName=\"b.mp4\"\r\ncontent-type: video/mp4\r\n");
        assertThat(h).isEqualTo(new PartHeaders("a", "b.mp4", "video/mp4"));
    }

    @Test
    void otherHeadersAndParametersAreIgnoredAndValuesTrimmed() {
        PartHeaders h = headersOf("X-Other: 1\r\nContent-Disposition:form-data;name=\"a\" ; size=12;  filename=\"b.mp4\"  \r\n"
                + "Content-Type:   video/mp4  \r\nContent-Transfer-Encoding: binary\r\n");
        assertThat(h).isEqualTo(new PartHeaders("a", "b.mp4", "video/mp4"));
    }

    @Test
    void foldedHeaderLinesAreJoined() {
        PartHeaders h = headersOf("Content-Disposition: form-data;\r\n name=\"a\";\r\n\tfilename=\"b.mp4\"\r\nContent-Type:\r\n video/mp4\r\n");
        assertThat(h).isEqualTo(new PartHeaders("a", "b.mp4", "video/mp4"));
    }

    @Test
    void anExtendedFilenameTakesPrecedenceOverFilenameInEitherOrder() {
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename=\"EUR.mp4\"; filename*=UTF-8''%E2%82%AC.mp4\r\n").filename())
                .isEqualTo("\u20ac.mp4");
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename*=utf-8''%e2%82%ac%20walk.mp4; filename=\"EUR.mp4\"\r\n").filename())
                .isEqualTo("\u20ac walk.mp4");
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC.mp4\r\n").filename())
                .isEqualTo("\u20ac.mp4");
    }

    @Test
    void anExtendedFilenameMayBeLatin1AndCarryALanguage() {
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename*=ISO-8859-1'fr'%E9t%E9.mp4\r\n").filename())
                .isEqualTo("\u00e9t\u00e9.mp4");
    }

    @Test
    void aBrokenExtendedFilenameFallsBackToFilename() {
        for (String broken : List.of("UTF-8''%ZZ.mp4", "UTF-8''%E", "no-quotes-here", "UTF-8'only-one")) {
            assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename=\"plain.mp4\"; filename*=" + broken + "\r\n").filename())
                    .as(broken).isEqualTo("plain.mp4");
        }
    }

    @Test
    void anEmptyFilenameIsStillAFileAndNoFilenameIsAField() {
        PartHeaders file = headersOf("Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n");
        assertThat(file.isFile()).isTrue();
        assertThat(file.filename()).isEmpty();
        PartHeaders field = headersOf("Content-Disposition: form-data; name=\"f\"\r\n");
        assertThat(field.isFile()).isFalse();
        assertThat(field.filename()).isNull();
        assertThat(field.contentType()).isNull();
    }

    @Test
    void aRawUtf8FilenameIsDecodedEvenWhenItsBytesAreSplitAcrossChunks() {
        String name = "vid\u00e9o \u20ac \u6b69\u884c \ud83d\udeb6.mp4";
        Form form = new Form("b").file("f", name, "video/mp4", randomBytes(14, 50));
        assertParsesUnderEveryChunking("b", form.bytes(), List.of(Part.file("f", name, "video/mp4", randomBytes(14, 50))));
    }

    @Test
    void aWindowsPathSentWithBareBackslashesIsKept() {
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename=\"C:\\videos\\a.mp4\"\r\n").filename())
                .isEqualTo("C:\\videos\\a.mp4");
        assertThat(headersOf("Content-Disposition: form-data; name=\"f\"; filename=\"C:\\Users\\kid\\Videos\\new\\t.mp4\"; x=y\r\n").filename())
                .isEqualTo("C:\\Users\\kid\\Videos\\new\\t.mp4");
    }

    // ---------------------------------------------------------------------------------------
    // 9. The boundary of a Content-Type.

    @Test
    void theBoundaryIsReadFromAContentType() {
        assertThat(MultipartParser.boundary("multipart/form-data; boundary=" + CURL_BOUNDARY)).contains(CURL_BOUNDARY);
        assertThat(MultipartParser.boundary("multipart/form-data;boundary=abc")).contains("abc");
        assertThat(MultipartParser.boundary("multipart/form-data; boundary=\"a b;c=d\"")).contains("a b;c=d");
        assertThat(MultipartParser.boundary("multipart/form-data; charset=utf-8; boundary=abc")).contains("abc");
        assertThat(MultipartParser.boundary("multipart/form-data; boundary=abc; charset=utf-8")).contains("abc");
        assertThat(MultipartParser.boundary("multipart/form-data; charset=\"x;boundary=evil\"; boundary=abc")).contains("abc");
        assertThat(MultipartParser.boundary("multipart/form-data; xboundary=evil; boundary=abc")).contains("abc");
        assertThat(MultipartParser.boundary("Multipart/Form-Data; BOUNDARY=abc")).contains("abc");
        assertThat(MultipartParser.boundary("multipart/form-data; Boundary = abc ")).contains("abc");
    }

    @Test
    void aMissingOrEmptyBoundaryIsEmpty() {
        assertThat(MultipartParser.boundary(null)).isEmpty();
        assertThat(MultipartParser.boundary("multipart/form-data")).isEmpty();
        assertThat(MultipartParser.boundary("multipart/form-data; charset=utf-8")).isEmpty();
        assertThat(MultipartParser.boundary("multipart/form-data; boundary=")).isEmpty();
        assertThat(MultipartParser.boundary("multipart/form-data; boundary=\"\"")).isEmpty();
        assertThat(MultipartParser.boundary("")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------
    // 10. A large file, streamed.

    @Test
    void a64MiBFileIsHandedOutWholeWithAtMostADelimiterHeldBack() throws Exception {
        int contentLength = 64 * 1024 * 1024;
        byte[] head = utf8("--" + CURL_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"fileuploadfront\"; filename=\"big.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n");
        byte[] tail = utf8("\r\n--" + CURL_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"uid\"\r\n\r\nabc\r\n--" + CURL_BOUNDARY + "--\r\n");
        byte[] body = new byte[head.length + contentLength + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = head.length; i < head.length + contentLength; i += 8) {
            long r = random.nextLong();
            for (int k = 0; k < 8; k++) {
                body[i + k] = (byte) (r >>> (8 * k));
            }
        }
        // Delimiter look-alikes (a delimiter less its last byte: the most that may be held back)
        // straddling chunk ends, every 16 chunks.
        byte[] lookalike = latin1("\r\n--" + CURL_BOUNDARY.substring(0, CURL_BOUNDARY.length() - 1));
        for (int at = 16 * 65536 - 10; at + lookalike.length < head.length + contentLength; at += 16 * 65536 + 1) {
            System.arraycopy(lookalike, 0, body, at, lookalike.length);
        }
        System.arraycopy(tail, 0, body, head.length + contentLength, tail.length);
        MessageDigest whole = MessageDigest.getInstance("SHA-256");
        whole.update(body, head.length, contentLength);
        byte[] expectedDigest = whole.digest();

        int delimiterLength = CURL_BOUNDARY.length() + 4;
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long[] handedOut = new long[2];
        MultipartParser parser = new MultipartParser(CURL_BOUNDARY, new MultipartParser.Listener() {
            int part = -1;

            @Override
            public void partBegin(PartHeaders headers) {
                part++;
            }

            @Override
            public void partData(byte[] chunk, int offset, int length) {
                if (part == 0) {
                    digest.update(chunk, offset, length);
                }
                handedOut[part] += length;
            }

            @Override
            public void partEnd() {
            }
        });
        byte[] buffer = new byte[64 * 1024];
        for (int pos = 0; pos < body.length; pos += buffer.length) {
            int n = Math.min(buffer.length, body.length - pos);
            System.arraycopy(body, pos, buffer, 0, n);
            parser.feed(buffer, 0, n);
            long fedContent = Math.min(Math.max(0, pos + n - head.length), contentLength);
            assertThat(handedOut[0]).as("content handed out after %d bytes", pos + n)
                    .isBetween(fedContent - (delimiterLength - 1), fedContent);
        }
        assertThat(parser.finished()).isTrue();
        assertThat(handedOut[0]).isEqualTo(contentLength);
        assertThat(handedOut[1]).isEqualTo(3);
        assertThat(digest.digest()).isEqualTo(expectedDigest);
    }

    /**
     * The client picks the boundary, so it may pick one whose bytes fill the content too: a boundary
     * of 200 'x' and a file of 'x' or of near-delimiters. The delimiter search must stay linear in
     * the body's size: it may not compare up to a delimiter's length at every position. Measured as
     * work (bytes looked at), not time.
     */
    /** Once malformed, always malformed: feeding on after the error cannot resume at an odd place. */
    @Test
    void aMalformedBodyStaysMalformed() {
        Collector collector = new Collector();
        MultipartParser parser = new MultipartParser("b", collector);
        byte[] bad = utf8("--bX\r\n");
        assertThatThrownBy(() -> parser.feed(bad, 0, bad.length)).isInstanceOf(MalformedMultipart.class);
        byte[] good = utf8("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n");
        assertThatThrownBy(() -> parser.feed(good, 0, good.length)).isInstanceOf(MalformedMultipart.class)
                .hasMessageContaining("neither CRLF");
        assertThat(parser.finished()).isFalse();
    }

    @ParameterizedTest(name = "near-delimiters: {0}")
    @ValueSource(booleans = {false, true})
    void aBoundaryRepeatedThroughTheContentDoesNotMakeTheSearchQuadratic(boolean nearDelimiters) {
        String boundary = "x".repeat(MultipartParser.MAX_BOUNDARY_CHARS);
        byte[] head = utf8("--" + boundary + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.mp4\"\r\n\r\n");
        byte[] tail = utf8("\r\n--" + boundary + "--\r\n");
        // All 'x' (a confirmation from the delimiter's end runs back ~200 bytes at every position),
        // or near-delimiters back to back: CRLF, "--", all of the boundary but two bytes, 'y', 'x',
        // so that the byte a Horspool search checks first matches and each CR starts a long confirmation.
        byte[] nearDelimiter = nearDelimiters ? utf8("\r\n--" + "x".repeat(boundary.length() - 2) + "yx") : utf8("x");
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = nearDelimiter[i % nearDelimiter.length];
        }
        int chunks = 512;
        long[] handedOut = {0};
        MultipartParser parser = new MultipartParser(boundary, new MultipartParser.Listener() {
            @Override
            public void partBegin(PartHeaders headers) {
            }

            @Override
            public void partData(byte[] bytes, int offset, int length) {
                handedOut[0] += length;
            }

            @Override
            public void partEnd() {
            }
        });
        parser.feed(head, 0, head.length);
        for (int i = 0; i < chunks; i++) {
            parser.feed(chunk, 0, chunk.length);
        }
        parser.feed(tail, 0, tail.length);
        long fed = head.length + (long) chunks * chunk.length + tail.length;
        assertThat(parser.finished()).isTrue();
        assertThat(handedOut[0]).isEqualTo((long) chunks * chunk.length);
        assertThat(parser.confirmations()).as("bytes looked at to confirm candidates, for %d bytes fed", fed).isLessThanOrEqualTo(fed);
    }

    // ---------------------------------------------------------------------------------------
    // 11. Boundaries of 1 and 70 characters (and the 200 allowed).

    @ParameterizedTest
    @ValueSource(strings = {"a", "-", "'", " x", "0123456789'()+_,-./:=? ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"})
    void shortAndLongBoundariesWork(String boundary) {
        assertThat(boundary.length()).isIn(1, 2, 70);
        Form form = new Form(boundary)
                .field("a", "1")
                .file("f", "f.bin", "application/octet-stream", concat(randomBytes(15, 100), latin1("\r\n--\r\n-\r"), randomBytes(16, 100)))
                .file("g", "g.bin", "application/octet-stream", latin1("\r\n--" + boundary.substring(0, boundary.length() - 1)))
                .field("b", "");
        assertParsesUnderEveryChunking(boundary, form.bytes(), form.parts());
    }

    @Test
    void aBoundaryOfMaxBoundaryCharsWorks() {
        String boundary = "-".repeat(100) + "x".repeat(MultipartParser.MAX_BOUNDARY_CHARS - 100);
        Form form = new Form(boundary)
                .file("f", "f.bin", "application/octet-stream", concat(randomBytes(17, 300), latin1("\r\n--" + "-".repeat(150)), randomBytes(18, 300)))
                .field("a", "1");
        assertParsesUnderEveryChunking(boundary, form.bytes(), form.parts());
    }

    // ---------------------------------------------------------------------------------------
    // Differential: random, often broken bodies over a tricky alphabet, against a whole-body reference.

    /** What a whole body should give: the completed parts, finished or not, or malformed. */
    record Outcome(List<Part> parts, boolean finished, boolean malformed) {
    }

    /**
     * A plain reference reading of a whole body (RFC 2046: the body is read as if preceded by CRLF;
     * after a delimiter come optional spaces and tabs then CRLF, or "--"; a header block ends at the
     * first CRLFCRLF and may hold MAX_HEADER_BYTES).
     */
    static Outcome reference(String boundary, byte[] body) {
        byte[] data = concat(latin1("\r\n"), body);
        byte[] delimiter = latin1("\r\n--" + boundary);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(data, delimiter, 0);
        while (true) {
            if (at < 0) {
                return new Outcome(parts, false, false);
            }
            int pos = at + delimiter.length;
            while (pos < data.length && (data[pos] == ' ' || data[pos] == '\t')) {
                pos++;
            }
            if (pos == data.length) {
                return new Outcome(parts, false, false);
            }
            boolean padded = pos > at + delimiter.length;
            if (!padded && data[pos] == '-') {
                if (pos + 1 == data.length) {
                    return new Outcome(parts, false, false);
                }
                return data[pos + 1] == '-' ? new Outcome(parts, true, false) : new Outcome(parts, false, true);
            }
            if (data[pos] != '\r') {
                return new Outcome(parts, false, true);
            }
            if (pos + 1 == data.length) {
                return new Outcome(parts, false, false);
            }
            if (data[pos + 1] != '\n') {
                return new Outcome(parts, false, true);
            }
            int headerStart = pos + 2;
            if (data.length - headerStart >= 2 && data[headerStart] == '\r' && data[headerStart + 1] == '\n') {
                return new Outcome(parts, false, true);
            }
            int blank = indexOf(data, latin1("\r\n\r\n"), headerStart);
            int headerEnd = blank < 0 ? -1 : blank + 4;
            if (headerEnd < 0 || headerEnd - headerStart > MultipartParser.MAX_HEADER_BYTES) {
                boolean tooLong = (headerEnd < 0 ? data.length : headerEnd) - headerStart > MultipartParser.MAX_HEADER_BYTES;
                return new Outcome(parts, false, tooLong);
            }
            PartHeaders headers;
            try {
                headers = MultipartParser.parseHeaders(new String(data, headerStart, headerEnd - headerStart, StandardCharsets.UTF_8));
            } catch (MalformedMultipart e) {
                return new Outcome(parts, false, true);
            }
            at = indexOf(data, delimiter, headerEnd);
            if (at >= 0) {
                parts.add(new Part(headers.name(), headers.filename(), headers.contentType(), latin1(Arrays.copyOfRange(data, headerEnd, at))));
            }
        }
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static Outcome streamed(String boundary, byte[] body, IntSupplier sizes) {
        Collector collector = new Collector();
        MultipartParser parser = new MultipartParser(boundary, collector);
        try {
            feed(parser, body, 0, body.length, sizes);
        } catch (MalformedMultipart e) {
            return new Outcome(List.copyOf(collector.parts), false, true);
        }
        return new Outcome(List.copyOf(collector.parts), parser.finished(), false);
    }

    /** A random form over an alphabet rich in CR, LF, dashes and boundary characters, then a few random edits. */
    static byte[] fuzzBody(Random random, String boundary) {
        String alphabet = "\r\n-" + boundary + " \tx";
        StringBuilder b = new StringBuilder();
        if (random.nextInt(4) == 0) {
            b.append(randomText(random, alphabet, 6)).append("\r\n");
        }
        int parts = random.nextInt(4);
        for (int i = 0; i < parts; i++) {
            b.append("--").append(boundary).append(random.nextInt(5) == 0 ? " \t" : "").append("\r\n");
            b.append("Content-Disposition: form-data; name=\"p").append(i).append('"');
            if (random.nextBoolean()) {
                b.append("; filename=\"f").append(i).append(".bin\"\r\nContent-Type: application/octet-stream");
            }
            b.append("\r\n\r\n").append(randomText(random, alphabet, 24)).append("\r\n");
        }
        b.append("--").append(boundary).append("--");
        if (random.nextBoolean()) {
            b.append("\r\n").append(randomText(random, alphabet, 6));
        }
        int edits = random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(b.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> { if (at < b.length()) b.deleteCharAt(at); }
                default -> b.setLength(at);
            }
        }
        return latin1(b.toString());
    }

    static String randomText(Random random, String alphabet, int maxLength) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(maxLength + 1);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"b", "-", "ab", "b-b", "--"})
    void randomBodiesGiveWhatAWholeBodyReadingGivesUnderAnyChunking(String boundary) {
        Random random = new Random(boundary.hashCode());
        int[] outcomes = new int[3];
        for (int i = 0; i < 3000; i++) {
            byte[] body = fuzzBody(random, boundary);
            Outcome expected = reference(boundary, body);
            outcomes[expected.malformed() ? 0 : expected.finished() ? 1 : 2]++;
            String shown = body.length + " bytes: " + latin1(body).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
            assertThat(streamed(boundary, body, () -> body.length)).as("whole, %s", shown).isEqualTo(expected);
            assertThat(streamed(boundary, body, () -> 1)).as("one byte at a time, %s", shown).isEqualTo(expected);
            for (long seed = 0; seed < 4; seed++) {
                assertThat(streamed(boundary, body, randomSizes(i * 4L + seed, boundary.length() + 4, body.length)))
                        .as("random chunks, %s", shown).isEqualTo(expected);
            }
        }
        // The generator reaches all three outcomes, so the comparison is not vacuous.
        assertThat(Arrays.stream(outcomes).boxed().toList()).as("malformed, finished, unfinished").allMatch(n -> n > 100);
    }
}
