package edu.niu.igait.resumable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tus 1.0.0 at /api/v1/files, request by request, against the real service signed in with Firebase ID
 * tokens: what it answers, every refusal (each from the headers, before a body byte is read), what it
 * keeps on disk, and the upload form naming finished uploads instead of carrying the videos.
 */
class TusProtocolTest {

    static final long MAX_VIDEO = 1024 * 1024;
    static KeyServer keys;
    static TestService service;
    static TusCalls tus;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.upload.max-video-bytes", Long.toString(MAX_VIDEO));
        p.put("igait.resumable.per-user-bytes", Long.toString(3 * MAX_VIDEO));
        service = TusCalls.signedIn(keys, p);
        tus = new TusCalls(service::uri);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keys != null) {
            keys.close();
        }
    }

    @Test
    void optionsSaysWhatTheServerSpeaksWithoutAToken() {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/files"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Tus-Version")).hasValue("1.0.0");
        assertThat(r.headers().firstValue("Tus-Extension")).hasValue("creation,creation-with-upload,expiration,termination");
        assertThat(r.headers().firstValue("Tus-Max-Size")).hasValue(Long.toString(MAX_VIDEO));
    }

    @Test
    void everyRequestNeedsATokenNotOnlyTheCreation() {
        String token = keys.token("token-parent");
        String path = tus.created(token, 10, "front.mp4");

        for (HttpResponse<String> r : java.util.List.of(tus.create(null, 10, "front.mp4"), tus.head(null, path),
                tus.patch(null, path, 0, new byte[10]), tus.delete(null, path), tus.create(keys.tokenTampered("token-parent", "x"), 10, "a.mp4"))) {
            assertThat(r.statusCode()).as(r.request().method() + " " + r.body()).isEqualTo(401);
            assertThat(r.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
        }
        assertThat(tus.offset(token, path)).as("nothing was written without a token").isZero();
    }

    @Test
    void aCreationIsRefusedFromItsHeadersAndNothingIsMade() throws IOException {
        String token = keys.token("refused-parent");
        long before = uploadsOnDisk();
        String common = "POST /api/v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n";

        RawHttp.Response noVersion = RawHttp.exchange(service.port(), common + "Upload-Length: 10\r\nContent-Length: 0\r\n", new byte[0], 5000);
        assertThat(noVersion.status()).isEqualTo(412);
        assertThat(noVersion.headers().get("tus-version")).isEqualTo("1.0.0");

        String v = common + "Tus-Resumable: 1.0.0\r\nContent-Length: 0\r\n";
        assertThat(refusal(v)).isEqualTo("400 missing_length");
        assertThat(refusal(v + "Upload-Defer-Length: 1\r\n")).isEqualTo("400 deferred_length");
        assertThat(refusal(v + "Upload-Length: ten\r\n")).isEqualTo("400 invalid_header");
        assertThat(refusal(v + "Upload-Length: 0\r\n")).isEqualTo("400 empty_file");
        assertThat(refusal(v + "Upload-Length: " + (MAX_VIDEO + 1) + "\r\n")).isEqualTo("413 too_large");
        assertThat(refusal(v + "Upload-Length: 10\r\nUpload-Metadata: filename not*base64\r\n")).isEqualTo("400 invalid_metadata");
        // creation-with-upload: a body of another type, or one longer than the upload.
        String withBody = common + "Tus-Resumable: 1.0.0\r\nUpload-Length: 10\r\nContent-Length: 4\r\n";
        assertThat(refusal(withBody + "Content-Type: video/mp4\r\n", new byte[4])).isEqualTo("415 unsupported_media_type");
        assertThat(refusal(common + "Tus-Resumable: 1.0.0\r\nUpload-Length: 2\r\nContent-Length: 4\r\nContent-Type: application/offset+octet-stream\r\n",
                new byte[4])).isEqualTo("413 too_large");

        assertThat(uploadsOnDisk()).isEqualTo(before);
    }

    @Test
    void aCreationAnswersWhereTheUploadIsUntilWhenAndKeepsItPrivate() throws IOException {
        String token = keys.token("new-parent");
        HttpResponse<String> r = tus.create(token, 1000, "front.mp4");

        assertThat(r.statusCode()).isEqualTo(201);
        String path = r.headers().firstValue("Location").orElseThrow();
        assertThat(path).as("the replica that holds it, local for one machine, then its id").matches("/api/v1/files/local/[0-9a-f]{32}");
        assertThat(r.headers().firstValue("Upload-Offset")).hasValue("0");
        Instant expires = java.time.ZonedDateTime.parse(r.headers().firstValue("Upload-Expires").orElseThrow(),
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(expires).isBetween(Instant.now().plusSeconds(23 * 3600), Instant.now().plusSeconds(24 * 3600 + 60));

        HttpResponse<String> head = tus.head(token, path);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Upload-Offset")).hasValue("0");
        assertThat(head.headers().firstValue("Upload-Length")).hasValue("1000");
        assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");
        Path folder = TusCalls.fileOf(service.dataDir(), path);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("video")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("upload.json")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    }

    @Test
    void aCreationMayCarryTheFirstBytes() throws IOException {
        String token = keys.token("eager-parent");
        byte[] video = Videos.bytes("mp4", 3000);
        RawHttp.Response r = RawHttp.exchange(service.port(), "POST /api/v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 3000\r\nUpload-Metadata: " + TusCalls.metadata("f.mp4", "video/mp4")
                + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 1200\r\n", Arrays.copyOf(video, 1200), 5000);

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().get("upload-offset")).isEqualTo("1200");
        String path = r.headers().get("location");
        assertThat(tus.patch(token, path, 1200, Arrays.copyOfRange(video, 1200, 3000)).statusCode()).isEqualTo(204);
        assertThat(Files.readAllBytes(TusCalls.fileOf(service.dataDir(), path).resolve("video"))).isEqualTo(video);
    }

    @Test
    void aUidHoldsAtMostItsBytesUnsubmittedAndGetsRoomBackByDeleting() {
        String token = keys.token("hoarding-parent");
        String first = tus.created(token, MAX_VIDEO, "a.mp4");
        tus.created(token, MAX_VIDEO, "b.mp4");
        tus.created(token, MAX_VIDEO, "c.mp4");

        HttpResponse<String> fourth = tus.create(token, 1, "d.mp4");
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(Http.json(fourth.body()).path("error").asText()).isEqualTo("too_many_bytes");
        assertThat(fourth.headers().firstValue("Retry-After")).isPresent();
        assertThat(tus.create(keys.token("other-parent"), MAX_VIDEO, "e.mp4").statusCode()).as("another uid is not held back").isEqualTo(201);

        assertThat(tus.delete(token, first).statusCode()).isEqualTo(204);
        assertThat(tus.create(token, MAX_VIDEO, "d.mp4").statusCode()).isEqualTo(201);
    }

    @Test
    void anUploadIsFoundAtItsUrlAndAtTheUrlWithoutTheReplicaNotAtAnotherReplicas() {
        String token = keys.token("addressed-parent");
        String path = tus.created(token, 100, "front.mp4");
        String id = path.substring(path.lastIndexOf('/') + 1);
        String unnamed = "/api/v1/files/" + id;

        // The URLs made before replicas were named still lead to the upload, for every method.
        assertThat(tus.patch(token, unnamed, 0, new byte[40]).statusCode()).isEqualTo(204);
        assertThat(tus.offset(token, unnamed)).isEqualTo(40);
        assertThat(tus.offset(token, path)).isEqualTo(40);

        HttpResponse<String> elsewhere = tus.patch(token, "/api/v1/files/igait-z/" + id, 40, new byte[10]);
        assertThat(elsewhere.statusCode()).isEqualTo(421);
        JsonNode body = Http.json(elsewhere.body());
        assertThat(body.path("error").asText()).isEqualTo("misdirected");
        assertThat(body.path("message").asText()).contains("igait-z").contains("/api/v1/files/igait-z/");
        assertThat(elsewhere.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
        assertThat(tus.head(token, "/api/v1/files/igait-z/" + id).statusCode()).isEqualTo(421);
        assertThat(tus.delete(token, "/api/v1/files/igait-z/" + id).statusCode()).isEqualTo(421);
        assertThat(tus.head(token, "/api/v1/files/Not_A_Replica/" + id).statusCode()).as("no replica has that name").isEqualTo(404);
        assertThat(tus.offset(token, path)).as("nothing was written or deleted by them").isEqualTo(40);
        assertThat(tus.delete(token, unnamed).statusCode()).isEqualTo(204);
        assertThat(tus.head(token, path).statusCode()).isEqualTo(404);
    }

    @Test
    void aFormNamingAnotherReplicasUploadIsMisdirectedNamingTheFieldAndWhereToPostIt() throws IOException {
        String token = keys.token("misdirected-parent");
        String done = tus.upload(token, Videos.bytes("mp4", 1000), "front.mp4", 1000);
        String id = done.substring(done.lastIndexOf('/') + 1);
        long jobs = jobs();

        HttpResponse<String> r = tus.submit(token, TusCalls.form(done, service.uri("/api/v1/files/igait-z/" + id).toString()));

        assertThat(refusedField(r)).isEqualTo("421 misdirected fileuploadside");
        assertThat(Http.json(r.body()).path("message").asText()).contains("/api/v1/upload?replica=igait-z");
        assertThat(jobs()).isEqualTo(jobs);
        assertThat(tus.offset(token, done)).as("the front's upload is free again for the form posted where it should be").isEqualTo(1000);
    }

    @Test
    void anotherAccountsUploadIsNotFoundAndNotTouched() {
        String owner = keys.token("owner-parent");
        String path = tus.created(owner, 100, "front.mp4");
        String stranger = keys.token("stranger");

        assertThat(tus.head(stranger, path).statusCode()).isEqualTo(404);
        assertThat(tus.patch(stranger, path, 0, new byte[100]).statusCode()).isEqualTo(404);
        assertThat(tus.delete(stranger, path).statusCode()).isEqualTo(404);
        assertThat(tus.head(owner, "/api/v1/files/0123456789abcdef0123456789abcdef").statusCode()).isEqualTo(404);
        assertThat(tus.head(owner, "/api/v1/files/no.such").statusCode()).isEqualTo(404);
        assertThat(tus.offset(owner, path)).isZero();
    }

    @Test
    void aPatchIsRefusedFromItsHeadersAndWritesNothing() throws IOException {
        String token = keys.token("patching-parent");
        String path = tus.created(token, 100, "front.mp4");
        assertThat(tus.patch(token, path, 0, new byte[40]).statusCode()).isEqualTo(204);

        HttpResponse<String> wrongOffset = tus.patch(token, path, 10, new byte[10]);
        assertThat(wrongOffset.statusCode()).isEqualTo(409);
        assertThat(Http.json(wrongOffset.body()).path("error").asText()).isEqualTo("offset_mismatch");
        String head = "PATCH " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nTus-Resumable: 1.0.0\r\n";
        assertThat(refusal(head + "Upload-Offset: 40\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n", new byte[4]))
                .isEqualTo("415 unsupported_media_type");
        assertThat(refusal(head + "Content-Type: application/offset+octet-stream\r\nContent-Length: 4\r\n", new byte[4]))
                .isEqualTo("400 missing_offset");
        assertThat(refusal("PATCH " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nUpload-Offset: 40\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 4\r\n", new byte[4]))
                .isEqualTo("412 tus_version");

        assertThat(tus.offset(token, path)).isEqualTo(40);
        assertThat(Files.size(TusCalls.fileOf(service.dataDir(), path).resolve("video"))).isEqualTo(40);
    }

    @Test
    void aPatchPastTheLengthIsRefusedBeforeItsBodyOrCutAtTheLength() throws IOException {
        String token = keys.token("long-parent");
        String path = tus.created(token, 100, "front.mp4");
        String head = "PATCH " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n";

        // Declared: refused from the headers, while not one byte of the body was sent.
        RawHttp.Response declared = RawHttp.exchange(service.port(), head + "Content-Length: 101\r\n", new byte[0], 5000);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(tus.offset(token, path)).isZero();

        // Chunked: the bytes up to the length are kept, the rest refused.
        byte[] bytes = Videos.bytes("mp4", 150);
        byte[] chunked = ("96\r\n" + new String(bytes, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Response cut = RawHttp.exchange(service.port(), head + "Transfer-Encoding: chunked\r\n", chunked, 5000);
        assertThat(cut.status()).isEqualTo(413);
        assertThat(tus.offset(token, path)).isEqualTo(100);
        assertThat(Files.readAllBytes(TusCalls.fileOf(service.dataDir(), path).resolve("video"))).isEqualTo(Arrays.copyOf(bytes, 100));
    }

    @Test
    void twoPatchesAtOnceTheSecondIsLockedOutAndWritesNothing() throws Exception {
        String token = keys.token("twice-parent");
        String path = tus.created(token, 2000, "front.mp4");
        byte[] first = Videos.bytes("mp4", 2000);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nTus-Resumable: 1.0.0\r\n"
                    + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(first, 0, 500);
            out.flush();
            // The first PATCH holds the upload from before its admission (its slot shows on the metrics).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (metric(Http.get(service.managementUri("/observe/metrics")).body(), "igait_uploads_in_progress") < 1) {
                assertThat(System.nanoTime()).as("the first PATCH was admitted").isLessThan(deadline);
                Thread.sleep(20);
            }
            HttpResponse<String> second = tus.patch(token, path, 0, new byte[2000]);
            assertThat(second.statusCode()).isEqualTo(423);
            assertThat(tus.delete(token, path).statusCode()).as("nor may it be deleted meanwhile").isEqualTo(423);

            out.write(first, 500, 1500);
            out.flush();
            RawHttp.Response answer = RawHttp.read(socket.getInputStream());
            assertThat(answer.status()).isEqualTo(204);
            assertThat(answer.headers().get("upload-offset")).isEqualTo("2000");
        }
        assertThat(Files.readAllBytes(TusCalls.fileOf(service.dataDir(), path).resolve("video"))).isEqualTo(first);
    }

    @Test
    void aTokenThatExpiresBetweenTwoPatchesIsReplacedAndTheUploadGoesOn() {
        String uid = "expiring-parent";
        byte[] video = Videos.bytes("mp4", 300);
        String path = tus.created(keys.token(uid), 300, "front.mp4");
        assertThat(tus.patch(keys.token(uid), path, 0, Arrays.copyOf(video, 100)).statusCode()).isEqualTo(204);

        String expired = keys.token(KeyServer.claims(uid).issueTime(Date.from(Instant.now().minusSeconds(7200)))
                .expirationTime(Date.from(Instant.now().minusSeconds(3600))).build());
        HttpResponse<String> refused = tus.patch(expired, path, 100, Arrays.copyOfRange(video, 100, 300));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElse("")).contains("invalid_token");
        assertThat(tus.offset(keys.token(uid), path)).isEqualTo(100);

        assertThat(tus.patch(keys.token(uid), path, 100, Arrays.copyOfRange(video, 100, 300)).statusCode()).isEqualTo(204);
        assertThat(tus.offset(keys.token(uid), path)).isEqualTo(300);
    }

    @Test
    void deleteRemovesTheUploadAndItsBytes() {
        String token = keys.token("deleting-parent");
        String path = tus.created(token, 100, "front.mp4");
        tus.patch(token, path, 0, new byte[50]);

        assertThat(tus.delete(token, path).statusCode()).isEqualTo(204);
        assertThat(tus.head(token, path).statusCode()).isEqualTo(404);
        assertThat(tus.delete(token, path).statusCode()).isEqualTo(404);
        assertThat(TusCalls.fileOf(service.dataDir(), path)).doesNotExist();
    }

    @Test
    void finishedUploadsAreSubmittedByReferenceMovedIntoTheJobAndUsedOnce() throws Exception {
        String token = keys.token("tus-parent");
        byte[] front = Videos.bytes("mp4", 200_000);
        byte[] side = Videos.bytes("mov", 150_000);
        String frontPath = tus.upload(token, front, "front.MP4", 64 * 1024);
        String sidePath = tus.upload(token, side, "side.mov", 50_000);

        // The absolute URL tus clients hold, or the id alone.
        HttpResponse<String> r = tus.submit(token, TusCalls.form(service.uri(frontPath).toString(), sidePath.substring(sidePath.lastIndexOf('/') + 1)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = Http.json(r.body());
        assertThat(body.path("uid").asText()).isEqualTo("tus-parent");
        Path job = service.dataDir().resolve("jobs").resolve(body.path("submissionId").asText());
        assertThat(Files.readAllBytes(job.resolve("front.mp4"))).isEqualTo(front);
        assertThat(Files.readAllBytes(job.resolve("side.mov"))).isEqualTo(side);
        // Moved before the 202; the upload's record goes once the request is done.
        assertThat(TusCalls.fileOf(service.dataDir(), frontPath).resolve("video")).doesNotExist();
        assertThat(tus.head(token, frontPath).statusCode()).isEqualTo(404);
        awaitGone(TusCalls.fileOf(service.dataDir(), frontPath));
        awaitGone(TusCalls.fileOf(service.dataDir(), sidePath));

        HttpResponse<String> again = tus.submit(token, TusCalls.form(frontPath, sidePath));
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(Http.json(again.body()).path("field").asText()).isEqualTo("fileuploadfront");
        assertThat(Http.json(again.body()).path("error").asText()).isEqualTo("unknown_upload");
    }

    @Test
    void unfinishedForeignAndUnknownUploadsAreRefusedNamingTheFieldAndStayUsable() throws IOException {
        String token = keys.token("careful-parent");
        byte[] video = Videos.bytes("mp4", 1000);
        String done = tus.upload(token, video, "front.mp4", 1000);
        String half = tus.created(token, 1000, "side.mp4");
        tus.patch(token, half, 0, Arrays.copyOf(video, 500));
        String foreign = tus.upload(keys.token("someone-else"), video, "side.mp4", 1000);
        long jobs = jobs();

        assertThat(refusedField(tus.submit(token, TusCalls.form(done, half)))).isEqualTo("400 unfinished_upload fileuploadside");
        assertThat(refusedField(tus.submit(token, TusCalls.form(done, foreign)))).isEqualTo("400 unknown_upload fileuploadside");
        assertThat(refusedField(tus.submit(token, TusCalls.form("/api/v1/files/0123456789abcdef0123456789abcdef", done))))
                .isEqualTo("400 unknown_upload fileuploadfront");
        assertThat(refusedField(tus.submit(token, TusCalls.form(done, done)))).isEqualTo("400 upload_in_use fileuploadside");
        assertThat(refusedField(tus.submit(token, TusCalls.form(done, "../../jobs")))).isEqualTo("400 file_expected fileuploadside");
        assertThat(refusedField(tus.submit(token, TusCalls.form(done, null)))).isEqualTo("400 missing_field fileuploadside");

        assertThat(jobs()).isEqualTo(jobs);
        assertThat(tus.offset(token, done)).as("a refused form leaves its uploads for the next try").isEqualTo(1000);
        tus.patch(token, half, 500, Arrays.copyOfRange(video, 500, 1000));
        assertThat(tus.submit(token, TusCalls.form(done, half)).statusCode()).isEqualTo(202);
    }

    @Test
    void anUploadIsCheckedAsAVideoByItsFileNameAndItsBytes() {
        String token = keys.token("odd-parent");
        String good = tus.upload(token, Videos.bytes("mp4", 1000), "front.mp4", 1000);
        String notAVideo = tus.upload(token, Videos.jpeg(1000), "side.mp4", 1000);
        String noExtension = tus.upload(token, Videos.bytes("mp4", 1000), "side", 1000);

        assertThat(refusedField(tus.submit(token, TusCalls.form(good, notAVideo)))).isEqualTo("415 unsupported_media_type fileuploadside");
        assertThat(refusedField(tus.submit(token, TusCalls.form(good, noExtension)))).isEqualTo("415 unsupported_media_type fileuploadside");
        assertThat(tus.offset(token, good)).isEqualTo(1000);
    }

    @Test
    void theMetricsCountTheBytesAndTheUploadsInProgress() {
        String token = keys.token("counted-parent");
        tus.patch(token, tus.created(token, 100, "front.mp4"), 0, new byte[60]);

        String metrics = Http.get(service.managementUri("/observe/metrics")).body();
        assertThat(metric(metrics, "igait_resumable_bytes_total")).isGreaterThanOrEqualTo(60);
        assertThat(metric(metrics, "igait_resumable_uploads_in_progress")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).contains("igait_resumable_resumptions_total");
    }

    static void awaitGone(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(path)) {
            assertThat(System.nanoTime()).as(path + " is deleted").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static double metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String refusal(String head) {
        return refusal(head, new byte[0]);
    }

    private static String refusal(String head, byte[] body) {
        RawHttp.Response r = RawHttp.exchange(service.port(), head, body, 5000);
        return r.status() + " " + Http.json(r.body()).path("error").asText();
    }

    private static String refusedField(HttpResponse<String> r) {
        JsonNode body = Http.json(r.body());
        return r.statusCode() + " " + body.path("error").asText() + " " + body.path("field").asText();
    }

    private static long uploadsOnDisk() throws IOException {
        try (Stream<Path> s = Files.list(service.dataDir().resolve("files"))) {
            return s.count();
        }
    }

    private static long jobs() throws IOException {
        try (Stream<Path> s = Files.list(service.dataDir().resolve("jobs"))) {
            return s.count();
        }
    }
}
