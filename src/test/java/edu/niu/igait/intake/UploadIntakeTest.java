package edu.niu.igait.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.dev.Ports;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /api/v1/upload} and {@code GET /api/v1/submissions/<sid>} through a real HTTP client,
 * against the real routes and application.properties.
 */
class UploadIntakeTest {

    static final String UPLOAD = "/api/v1/upload";
    static final long SMALL_MAX = 1024 * 1024;
    static final Duration CLEAN_UP = Duration.ofSeconds(5);

    /** The service as configured in application.properties. */
    static TestService service;
    /** The same with igait.upload.max-video-bytes = 1 MiB, for the size limits. */
    static TestService small;

    @BeforeAll
    static void start() {
        service = TestService.start();
        small = TestService.start(Map.of("igait.upload.max-video-bytes", Long.toString(SMALL_MAX)));
    }

    @AfterAll
    static void stop() {
        if (small != null) {
            small.close();
        }
        if (service != null) {
            service.close();
        }
    }

    // ---------------------------------------------------------------- accepted

    @Test
    void happyPathStoresTheBytesSentAndEveryFieldThenAnswers202(@TempDir Path tmp) {
        Path front = Videos.mp4(tmp.resolve("walk-front.mp4"), 3 * 1024 * 1024 + 17);
        Path side = Videos.video(tmp.resolve("walk-side.mov"), "mov", 2 * 1024 * 1024 + 5);
        UploadForm form = UploadForm.valid()
                .without("fileuploadfront").without("fileuploadside")
                .file("fileuploadfront", "walk-front.mp4", front)
                .file("fileuploadside", "walk-side.mov", side);

        Instant before = Instant.now();
        HttpResponse<String> response = Http.post(service.uri(UPLOAD), form.multipart());
        Instant after = Instant.now();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).contains("application/json"));
        JsonNode body = Http.json(response.body());
        String sid = body.path("submissionId").asText();
        assertThat(sid).matches("[A-Za-z0-9_-]{22,}");
        assertThat(body.path("uid").asText()).isEqualTo(UploadForm.UID);
        assertThat(body.path("status").asText()).isEqualTo("Submitting");
        assertThat(body.path("statusUrl").asText()).isEqualTo("/api/v1/submissions/" + sid);

        Path data = service.dataDir();
        Path job = data.resolve("jobs").resolve(sid);
        assertThat(Videos.sha256(job.resolve("front.mp4"))).isEqualTo(Videos.sha256(front));
        assertThat(Videos.sha256(job.resolve("side.mov"))).isEqualTo(Videos.sha256(side));

        JsonNode stored = Http.json(read(job.resolve("job.json")));
        assertThat(stored.path("submissionId").asText()).isEqualTo(sid);
        assertThat(stored.path("uid").asText()).isEqualTo(UploadForm.UID);
        assertThat(stored.path("age").asInt()).isEqualTo(7);
        assertThat(stored.path("ethnicity").asText()).isEqualTo(UploadForm.ETHNICITY);
        assertThat(stored.path("sex").asText()).isEqualTo("F");
        assertThat(stored.path("height").asText()).isEqualTo(UploadForm.HEIGHT);
        assertThat(stored.path("weight").asInt()).isEqualTo(52);
        assertThat(stored.path("email").asText()).isEqualTo(UploadForm.EMAIL);
        assertThat(stored.path("front").path("ext").asText()).isEqualTo("mp4");
        assertThat(stored.path("front").path("bytes").asLong()).isEqualTo(size(front));
        assertThat(stored.path("side").path("ext").asText()).isEqualTo("mov");
        assertThat(stored.path("side").path("bytes").asLong()).isEqualTo(size(side));
        assertThat(stored.path("stage").asText()).isEqualTo("1-record");
        assertThat(stored.path("status").path("code").asText()).isEqualTo("Submitting");
        String submittedAt = stored.path("submittedAt").asText();
        assertThat(submittedAt).as("submission time in UTC").endsWith("Z");
        assertThat(Instant.parse(submittedAt)).isBetween(before.minusSeconds(1), after.plusSeconds(1));

        Path ticket = data.resolve("stages/1-record").resolve(sid);
        assertThat(ticket).isRegularFile();
        assertThat(read(ticket)).contains(sid);
        assertThat(DataDirSnapshot.of(data).under("uploads")).isEmpty();
        assertThat(DataDirSnapshot.of(data).under("stages/1-record")).as("no half-written ticket").allMatch(p -> !p.contains("/."));

        // Where it stands, without medical data or the email address.
        HttpResponse<String> status = Http.get(service.uri(body.path("statusUrl").asText()));
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode st = Http.json(status.body());
        assertThat(st.path("submissionId").asText()).isEqualTo(sid);
        assertThat(st.path("stage").asText()).isEqualTo("1-record");
        assertThat(st.path("status").path("code").asText()).isEqualTo("Submitting");
        assertNoMedicalData(st, status.body());
    }

    @Test
    void anUnknownExtraFieldIsAcceptedAndIgnored() {
        UploadForm form = UploadForm.valid().text("appVersion", "9.9.9-beta").text("favouriteColour", "green");
        HttpResponse<String> response = Http.post(service.uri(UPLOAD), form.multipart());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String sid = Http.json(response.body()).path("submissionId").asText();
        String job = read(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"));
        assertThat(job).doesNotContain("appVersion").doesNotContain("9.9.9-beta").doesNotContain("favouriteColour");
    }

    /** Each container family with its own magic bytes, and extensions in any case. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mp4", "mov", "m4v", "3gp", "avi", "mkv", "webm", "wmv", "flv", "MP4", "Mov", "WEBM"})
    void eachVideoFamilyIsAccepted(String ext) {
        String lower = ext.toLowerCase(Locale.ROOT);
        UploadForm form = UploadForm.valid()
                .setFile("fileuploadfront", "front-walk." + ext, Videos.bytes(lower, 20_000))
                .setFile("fileuploadside", "SIDE." + ext, Videos.bytes(lower, 10_000));
        HttpResponse<String> response = Http.post(service.uri(UPLOAD), form.multipart());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Path job = service.dataDir().resolve("jobs").resolve(Http.json(response.body()).path("submissionId").asText());
        assertThat(job.resolve("front." + lower)).isRegularFile().hasSize(20_000);
        assertThat(job.resolve("side." + lower)).isRegularFile().hasSize(10_000);
    }

    // ---------------------------------------------------------------- status endpoint

    @Test
    void anUnknownSubmissionIs404Json() {
        HttpResponse<String> response = Http.get(service.uri("/api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(Http.json(response.body()).path("error").asText()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"abc", "AAAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fjobs", "a%20b", "AAAAAAAAAAAAAAAAAAAA%00", "%2E%2E%2Fjob.json"})
    void aMalformedSubmissionIdIs404(String sid) {
        HttpResponse<String> response = Http.get(service.uri("/api/v1/submissions/" + sid));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(Http.json(response.body()).path("error").asText()).isNotEmpty();
    }

    /**
     * {@code /api/v1/submissions/..} normalises to a path no route serves: Vert.x answers 404 itself
     * (in HTML, the router's default: the JSON error handlers sit on the platform's sub-router).
     */
    @Test
    void aSubmissionIdThatNormalisesAwayIs404() {
        HttpResponse<String> response = Http.get(service.uri("/api/v1/submissions/%2E%2E"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(Http.json(response.body()).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void whatNoRouteTakesIsAnsweredInJsonToo() {
        HttpResponse<String> unknown = Http.get(service.uri("/no/such/thing"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Http.json(unknown.body()).get("error").asText()).isEqualTo("not_found");

        HttpResponse<String> wrongMethod = Http.send(java.net.http.HttpRequest.newBuilder(
                service.uri("/api/v1/submissions/AAAAAAAAAAAAAAAAAAAAAA")).DELETE().build());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(Http.json(wrongMethod.body()).get("error").asText()).isEqualTo("method_not_allowed");
    }

    // ---------------------------------------------------------------- refused

    /** One bad request: what is sent, to which service, and what must come back. */
    record Bad(boolean toSmall, Function<TestService, Answer> send, int status, String error, String names) {
    }

    record Answer(int status, String contentType, String body) {
        static Answer of(HttpResponse<String> r) {
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        }

        static Answer of(RawHttp.Response r) {
            return new Answer(r.status(), r.headers().getOrDefault("content-type", ""), r.body());
        }
    }

    static Stream<Arguments> badRequests() {
        List<Arguments> table = new ArrayList<>();
        for (String field : List.of("uid", "age", "ethnicity", "sex", "height", "weight", "email", "fileuploadfront", "fileuploadside")) {
            table.add(bad(field + " missing", form -> form.without(field), 400, "missing_field", field));
        }
        table.add(bad("age -1", f -> f.set("age", "-1"), 400, "invalid_field", "age"));
        table.add(bad("age 121", f -> f.set("age", "121"), 400, "invalid_field", "age"));
        table.add(bad("age 'ten'", f -> f.set("age", "ten"), 400, "invalid_field", "age"));
        table.add(bad("age empty", f -> f.set("age", ""), 400, "invalid_field", "age"));
        table.add(bad("weight 0", f -> f.set("weight", "0"), 400, "invalid_field", "weight"));
        table.add(bad("weight 1001", f -> f.set("weight", "1001"), 400, "invalid_field", "weight"));
        table.add(bad("weight 52.5", f -> f.set("weight", "52.5"), 400, "invalid_field", "weight"));
        table.add(bad("height of 33 characters", f -> f.set("height", "h".repeat(33)), 400, "invalid_field", "height"));
        table.add(bad("height blank", f -> f.set("height", "   "), 400, "invalid_field", "height"));
        table.add(bad("ethnicity of 65 characters", f -> f.set("ethnicity", "e".repeat(65)), 400, "invalid_field", "ethnicity"));
        table.add(bad("ethnicity with control characters", f -> f.set("ethnicity", "White\u001b[31m\u0007"), 400, "invalid_field", "ethnicity"));
        table.add(bad("ethnicity with a line break", f -> f.set("ethnicity", "White\nINFO forged log line"), 400, "invalid_field", "ethnicity"));
        table.add(bad("sex 'X'", f -> f.set("sex", "X"), 400, "invalid_field", "sex"));
        table.add(bad("sex 'MF'", f -> f.set("sex", "MF"), 400, "invalid_field", "sex"));
        table.add(bad("email 'nope'", f -> f.set("email", "nope"), 400, "invalid_field", "email"));
        table.add(bad("email with a display name", f -> f.set("email", "Parent <p@example.org>"), 400, "invalid_field", "email"));
        // Addresses a mail server cannot take as one recipient: refused here, not retried for a day in stage 4.
        table.add(bad("email as a group of two", f -> f.set("email", "g:victim@evil.example,victim2@evil.example;"), 400, "invalid_field", "email"));
        table.add(bad("email as a list", f -> f.set("email", "a@example.org, b@example.org"), 400, "invalid_field", "email"));
        table.add(bad("email with a quoted local part and CR LF", f -> f.set("email", "\"a\r\nBcc: x@evil.example\"@example.org"), 400, "invalid_field", "email"));
        table.add(bad("email with a quoted local part and a tab", f -> f.set("email", "\"a\tb\"@example.org"), 400, "invalid_field", "email"));
        table.add(bad("email with a comment", f -> f.set("email", "a(comment)@example.org"), 400, "invalid_field", "email"));
        table.add(bad("email with a domain literal", f -> f.set("email", "a@[127.0.0.1]"), 400, "invalid_field", "email"));
        table.add(bad("email ending in a dot", f -> f.set("email", "a@example.org."), 400, "invalid_field", "email"));
        table.add(bad("email with two dots in a row", f -> f.set("email", "a..b@example.org"), 400, "invalid_field", "email"));
        table.add(bad("uid '../x'", f -> f.set("uid", "../x"), 400, "invalid_field", "uid"));
        table.add(bad("uid 'a/b'", f -> f.set("uid", "a/b"), 400, "invalid_field", "uid"));
        table.add(bad("uid of 129 characters", f -> f.set("uid", "u".repeat(129)), 400, "invalid_field", "uid"));
        table.add(bad("uid with a space", f -> f.set("uid", "a b"), 400, "invalid_field", "uid"));
        table.add(bad("a text field sent twice", f -> f.text("age", "8"), 400, "duplicate_field", "age"));
        table.add(bad("a file field sent twice", f -> f.file("fileuploadfront", "again.mp4", Videos.bytes("mp4", 4096)),
                400, "duplicate_field", "fileuploadfront"));
        table.add(bad("a file sent as a text field", f -> f.without("fileuploadfront").text("fileuploadfront", "front.mp4"),
                400, "file_expected", "fileuploadfront"));
        table.add(bad("a text field sent as a file", f -> f.setFile("uid", "uid.txt", UploadForm.UID.getBytes(StandardCharsets.UTF_8)),
                400, "text_expected", "uid"));
        table.add(bad("wrong extension .txt", f -> f.setFile("fileuploadfront", "front.txt", Videos.bytes("mp4", 4096)),
                415, "unsupported_media_type", "fileuploadfront"));
        table.add(bad("no extension", f -> f.setFile("fileuploadside", "side", Videos.bytes("mov", 4096)),
                415, "unsupported_media_type", "fileuploadside"));
        table.add(bad("a photo renamed .mp4", f -> f.setFile("fileuploadfront", "front.mp4", Videos.jpeg(30_000)),
                415, "unsupported_media_type", "fileuploadfront"));
        table.add(bad("an avi named .mp4", f -> f.setFile("fileuploadside", "side.mp4", Videos.bytes("avi", 30_000)),
                415, "unsupported_media_type", "fileuploadside"));
        table.add(bad("an empty file", f -> f.setFile("fileuploadside", "side.mov", new byte[0]), 400, "empty_file", "fileuploadside"));

        // uid from anywhere but the form does not count
        table.add(row("a uid: header with the form field missing", false, s -> {
            Multipart m = UploadForm.valid().without("uid").multipart();
            return Answer.of(Http.send(request(s.uri(UPLOAD), m).header("uid", UploadForm.UID).POST(m.build()).build()));
        }, 400, "missing_field", "uid"));
        table.add(row("a ?uid= query with the form field missing", false, s -> Answer.of(
                Http.post(s.uri(UPLOAD + "?uid=" + UploadForm.UID), UploadForm.valid().without("uid").multipart())),
                400, "missing_field", "uid"));

        // size limits, on the service with a 1 MiB limit per video
        table.add(row("a video one byte over the limit", true, s -> Answer.of(Http.post(s.uri(UPLOAD),
                UploadForm.valid().setFile("fileuploadfront", "front.mp4", Videos.bytes("mp4", (int) SMALL_MAX + 1)).multipart())),
                413, "too_large", "fileuploadfront"));
        table.add(row("Content-Length above two videos' limit, refused before the body", true, s -> Answer.of(RawHttp.exchange(s.port(),
                "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: " + (3 * SMALL_MAX + 1) + "\r\n",
                "--b\r\nContent-Disposition: form-data; name=\"uid\"\r\n\r\nabc\r\n".getBytes(StandardCharsets.US_ASCII), 10_000)),
                413, "too_large", "bytes"));

        // refused while the body still arrives (the upload's own multipart reader)
        table.add(row("a chunked body larger than two videos may make", true, s -> Answer.of(RawHttp.exchange(s.port(),
                "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                        + "Transfer-Encoding: chunked\r\n",
                chunked(rawForm("b", Videos.bytes("mp4", 1000), Videos.bytes("mp4", 1000),
                        "extraClip", Videos.bytes("mp4", (int) (3 * SMALL_MAX + 10)))), 20_000)),
                413, "too_large", "bytes"));
        table.add(row("a video over the limit, refused before the rest of the body is sent", true, s -> {
            byte[] whole = rawForm("b", Videos.bytes("mp4", (int) (SMALL_MAX + SMALL_MAX / 2)), Videos.bytes("mp4", 1000));
            // The Content-Length promises the whole form; only the part up to the middle of the front video is sent.
            byte[] sent = java.util.Arrays.copyOf(whole, (int) (SMALL_MAX + SMALL_MAX / 4));
            return Answer.of(RawHttp.exchange(s.port(), "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + whole.length + "\r\n", sent, 10_000));
        }, 413, "too_large", "fileuploadfront"));
        table.add(bad("a text field longer than 8192 bytes", f -> f.set("ethnicity", "e".repeat(8193)), 400, "too_long", "ethnicity"));
        table.add(bad("a form of 65 parts", f -> {
            for (int i = 0; i < 56; i++) {
                f.text("extra" + i, "x");
            }
            return f;
        }, 400, "too_many_fields", "parts"));
        table.add(row("a multipart Content-Type without a boundary", false, s -> Answer.of(RawHttp.exchange(s.port(),
                "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data\r\n"
                        + "Content-Length: 5\r\n", "--b\r\n".getBytes(StandardCharsets.US_ASCII), 10_000)),
                400, "not_multipart", "boundary"));
        table.add(row("garbage after a delimiter", false, s -> {
            byte[] body = "--b\r\nContent-Disposition: form-data; name=\"uid\"\r\n\r\nabc\r\n--bXYZ\r\n\r\n--b--\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            return Answer.of(RawHttp.exchange(s.port(), "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length + "\r\n", body, 10_000));
        }, 400, "malformed_multipart", "delimiter"));
        table.add(row("a part without Content-Disposition", false, s -> {
            byte[] body = "--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII);
            return Answer.of(RawHttp.exchange(s.port(), "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length + "\r\n", body, 10_000));
        }, 400, "malformed_multipart", "Content-Disposition"));

        // cut short, not multipart, wrong method
        table.add(row("closing boundary missing", false, s -> {
            Multipart m = UploadForm.valid().multipart();
            return Answer.of(Http.send(request(s.uri(UPLOAD), m).POST(m.buildWithoutClosingBoundary()).build()));
        }, 400, "truncated", "cut short"));
        table.add(row("body cut short inside the last video", false, s -> {
            Multipart m = UploadForm.valid().setFile("fileuploadside", "side.mov", Videos.bytes("mov", 20_000)).multipart();
            return Answer.of(Http.send(request(s.uri(UPLOAD), m).POST(m.buildCutInLastPart()).build()));
        }, 400, "truncated", "cut short"));
        table.add(row("a JSON body", false, s -> Answer.of(Http.send(HttpRequest.newBuilder(s.uri(UPLOAD))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"uid\":\"abc\",\"age\":7}")).build())), 400, "not_multipart", "multipart/form-data"));
        table.add(row("a url-encoded form", false, s -> Answer.of(Http.send(HttpRequest.newBuilder(s.uri(UPLOAD))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("uid=abc&age=7&ethnicity=x&sex=F&height=1m&weight=20&email=a%40b.org")).build())),
                400, "not_multipart", "multipart/form-data"));
        table.add(row("no body at all", false, s -> Answer.of(Http.send(HttpRequest.newBuilder(s.uri(UPLOAD))
                .POST(BodyPublishers.noBody()).build())), 400, "not_multipart", "multipart/form-data"));
        table.add(row("GET on the upload path", false, s -> Answer.of(Http.get(s.uri(UPLOAD))), 405, "method_not_allowed", "GET"));
        table.add(row("PUT on the upload path", false, s -> {
            Multipart m = UploadForm.valid().multipart();
            return Answer.of(Http.send(request(s.uri(UPLOAD), m).PUT(m.build()).build()));
        }, 405, "method_not_allowed", "PUT"));
        return table.stream();
    }

    private static HttpRequest.Builder request(URI uri, Multipart body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", body.contentType());
    }

    private static Arguments bad(String name, Function<UploadForm, UploadForm> spoil, int status, String error, String names) {
        return row(name, false, s -> Answer.of(Http.post(s.uri(UPLOAD), spoil.apply(UploadForm.valid()).multipart())), status, error, names);
    }

    private static Arguments row(String name, boolean toSmall, Function<TestService, Answer> send, int status, String error, String names) {
        return Arguments.of(Named.of(name, new Bad(toSmall, send, status, error, names)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestIsRefusedWithJsonNamingTheProblemAndLeavesNothingBehind(Bad bad) {
        TestService s = bad.toSmall() ? small : service;
        DataDirSnapshot before = DataDirSnapshot.of(s.dataDir());
        assertThat(before.under("uploads")).as("no temp upload before the request").isEmpty();

        Answer answer = bad.send().apply(s);

        assertThat(answer.status()).as(answer.body()).isEqualTo(bad.status());
        assertThat(answer.contentType()).as("content type of %s", answer.body()).contains("application/json");
        JsonNode json = Http.json(answer.body());
        assertThat(json.path("error").asText()).as(answer.body()).isEqualTo(bad.error());
        assertThat(json.path("message").asText()).as(answer.body()).isNotBlank();
        assertThat(json.path("field").asText("") + " " + json.path("message").asText()).as(answer.body()).contains(bad.names());
        // No job folder, no ticket, no temp upload (Vert.x deletes its temp files just after the answer).
        before.awaitUnchanged(CLEAN_UP);
    }

    /**
     * A client that goes away, in the middle of its body or after a body without its closing boundary
     * (before the service could answer it): no answer can reach it, but nothing may stay behind.
     */
    @ParameterizedTest(name = "whole body sent: {0}")
    @ValueSource(booleans = {false, true})
    void aClientThatGoesAwayLeavesNothingBehind(boolean wholeBodyWithoutClosingBoundary) throws Exception {
        DataDirSnapshot before = DataDirSnapshot.of(service.dataDir());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (String[] f : new String[][] {{"uid", UploadForm.UID}, {"age", "7"}, {"ethnicity", "x"}, {"sex", "F"},
                                          {"height", "1 m"}, {"weight", "20"}, {"email", "a@example.org"}}) {
            body.writeBytes(("--b\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        for (String field : List.of("fileuploadfront", "fileuploadside")) {
            body.writeBytes(("--b\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"v.mp4\"\r\n"
                    + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Videos.bytes("mp4", 200_000));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        long declared = wholeBodyWithoutClosingBoundary ? body.size() : 10_000_000;
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), service.port())) {
            var out = socket.getOutputStream();
            out.write(("POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body.toByteArray());
            out.flush();
            awaitUploadFile(service.dataDir());
        }
        before.awaitUnchanged(CLEAN_UP);
    }

    /**
     * The body arrives cut at random places (pieces of 1 to 3000 bytes), with videos whose bytes
     * look like the start of the boundary again and again: the stored videos are still the bytes
     * sent, and every field is read.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void aBodyArrivingInOddPiecesIsStoredByteForByte(long seed) {
        String boundary = "----igaitBoundary7MA4YWxkTrZu0gW";
        byte[] front = lookalikes(Videos.bytes("mp4", 150_000), boundary, seed);
        byte[] side = lookalikes(Videos.bytes("mov", 90_000), boundary, seed + 100);
        byte[] body = rawForm(boundary, front, side);

        RawHttp.Response answer = RawHttp.exchangeInPieces(service.port(), "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: multipart/form-data; boundary=\"" + boundary + "\"\r\nContent-Length: " + body.length + "\r\n",
                body, 3000, seed, 30_000);

        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        Path job = service.dataDir().resolve("jobs").resolve(Http.json(answer.body()).path("submissionId").asText());
        assertThat(job.resolve("front.mp4")).hasBinaryContent(front);
        assertThat(job.resolve("side.mov")).hasBinaryContent(side);
        JsonNode stored = Http.json(read(job.resolve("job.json")));
        assertThat(stored.path("ethnicity").asText()).isEqualTo(UploadForm.ETHNICITY);
        assertThat(stored.path("email").asText()).isEqualTo(UploadForm.EMAIL);
    }

    /** curl and other clients ask before sending a large body: the service says go on, then reads it. */
    @Test
    void expectContinueIsAnsweredBeforeTheBody() {
        byte[] body = rawForm("b", Videos.bytes("mp4", 40_000), Videos.bytes("mp4", 30_000));
        RawHttp.Response answer = RawHttp.exchangeAfterContinue(service.port(), "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length + "\r\n", body, 10_000);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    }

    /** Copies of the boundary's beginnings, cut short at every length, written over the video after its header. */
    private static byte[] lookalikes(byte[] video, String boundary, long seed) {
        java.util.Random random = new java.util.Random(seed);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] out = video.clone();
        for (int at = 64; at + delimiter.length < out.length; at += 200 + random.nextInt(3000)) {
            int n = 1 + random.nextInt(delimiter.length - 1);
            System.arraycopy(delimiter, 0, out, at, n);
            // A client picks a boundary its content does not hold: the byte after a look-alike must not complete it.
            out[at + n] = (byte) ~delimiter[n];
        }
        // The very last bytes too: a CR and a partial delimiter right before the real one.
        System.arraycopy(delimiter, 0, out, out.length - 5, 5);
        return out;
    }

    /** The app's form as raw multipart, the videos named front.mp4 and side.mov, then extra files (name, bytes, ...). */
    static byte[] rawForm(String boundary, byte[] front, byte[] side, Object... extraFiles) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (String[] f : new String[][] {{"uid", UploadForm.UID}, {"age", UploadForm.AGE}, {"ethnicity", UploadForm.ETHNICITY},
                                          {"sex", UploadForm.SEX}, {"height", UploadForm.HEIGHT}, {"weight", UploadForm.WEIGHT},
                                          {"email", UploadForm.EMAIL}}) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        List<Object> files = new ArrayList<>(List.of("fileuploadfront", front, "fileuploadside", side));
        files.addAll(List.of(extraFiles));
        for (int i = 0; i < files.size(); i += 2) {
            String field = (String) files.get(i);
            byte[] content = (byte[]) files.get(i + 1);
            String name = field.equals("fileuploadfront") ? "front.mp4" : field.equals("fileuploadside") ? "side.mov" : field + ".mp4";
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name + "\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** The body in HTTP/1.1 chunked transfer coding, 64 KiB chunks. */
    private static byte[] chunked(byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 65536) {
            int n = Math.min(65536, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void awaitUploadFile(Path data) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (DataDirSnapshot.of(data).under("uploads").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    // ---------------------------------------------------------------- start-up

    /** Start-up fails fast, with a non-zero exit and one line that names what to fix. */
    @Nested
    class StartupFailures {

        static final String FAILED = "iGait backend failed to start:";

        @Test
        void aTakenPortIsNamed() throws IOException {
            try (ServerSocket taken = new ServerSocket()) {
                taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try (ServiceProcess p = ServiceProcess.start(Map.of("camel.server.port", Integer.toString(taken.getLocalPort())))) {
                    assertThat(p.awaitExit(Duration.ofSeconds(30))).isNotZero();
                    assertThat(failureLine(p)).contains("camel.server.port").contains(Integer.toString(taken.getLocalPort()));
                }
            }
        }

        @Test
        void aMissingRoutesFolderIsNamed(@TempDir Path workDir) throws IOException {
            Files.copy(Path.of("application.properties"), workDir.resolve("application.properties"));
            try (ServiceProcess p = ServiceProcess.start(workDir, Map.of(), Map.of())) {
                assertThat(p.awaitExit(Duration.ofSeconds(30))).isNotZero();
                assertThat(failureLine(p)).contains("routes").contains(workDir.resolve("routes").toString());
            }
        }

        @Test
        void aRouteThatDoesNotParseIsNamed(@TempDir Path workDir) throws IOException {
            Files.copy(Path.of("application.properties"), workDir.resolve("application.properties"));
            Files.createDirectories(workDir.resolve("routes/stages"));
            Files.copy(Path.of("routes/intake.yaml"), workDir.resolve("routes/intake.yaml"));
            Files.copy(Path.of("routes/http.yaml"), workDir.resolve("routes/http.yaml"));
            Files.writeString(workDir.resolve("routes/broken.yaml"),
                    "- route:\n    id: broken\n    from:\n      uri: timer:x\n      steps:\n        - log: [unclosed\n");
            Map<String, String> props = Map.of("igait.pipeline.enabled", "false",
                    "camel.main.routes-include-pattern", "file:routes/*.yaml");
            try (ServiceProcess p = ServiceProcess.start(workDir, props, Map.of())) {
                assertThat(p.awaitExit(Duration.ofSeconds(30))).isNotZero();
                assertThat(failureLine(p)).contains("broken.yaml");
            }
        }

        @Test
        void aBadPropertyValueIsNamed() {
            assertThatThrownBy(() -> TestService.start(Map.of("igait.upload.max-video-bytes", "abc")).close())
                    .hasMessageContaining("igait.upload.max-video-bytes")
                    .hasMessageContaining("abc");
        }

        private String failureLine(ServiceProcess p) {
            List<String> lines = p.logText().lines().filter(l -> l.startsWith(FAILED)).toList();
            assertThat(lines).as(p.logText()).hasSize(1);
            return lines.get(0);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertNoMedicalData(JsonNode status, String raw) {
        Set<String> medical = Set.of("age", "ethnicity", "sex", "height", "weight", "email");
        List<String> names = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        collect(status, names, values);
        assertThat(names).as(raw).doesNotContainAnyElementsOf(medical);
        assertThat(raw).doesNotContain(UploadForm.ETHNICITY).doesNotContain(UploadForm.HEIGHT).doesNotContain(UploadForm.EMAIL)
                .doesNotContain("example.org");
        for (JsonNode v : values) {
            assertThat(v.isTextual() && v.asText().equals(UploadForm.SEX)).as("sex in " + raw).isFalse();
            assertThat(v.isNumber() && (v.asInt() == 7 || v.asInt() == 52)).as("age or weight in " + raw).isFalse();
        }
    }

    private static void collect(JsonNode node, List<String> names, List<JsonNode> values) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                names.add(e.getKey());
                collect(e.getValue(), names, values);
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, names, values));
        } else {
            values.add(node);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
