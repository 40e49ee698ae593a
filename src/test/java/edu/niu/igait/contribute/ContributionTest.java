package edu.niu.igait.contribute;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.resumable.TusCalls;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Research contributions against the real peers (S3Proxy, GreenMail, firebase-server), signed in with
 * Firebase ID tokens of a key server on 127.0.0.1: one end to end (the objects in S3 under a key with
 * ';' and '+', consent.json, the thank-you mail, the record in the Realtime Database, the status), then
 * withdrawn after it was stored; a required consent missing and another uid's form refused with nothing
 * kept; contributions and uploads counted together against igait.limits.per-user; S3 down and back, with
 * a withdrawal asked for before the contribution could be stored; the videos named by reference to two
 * finished resumable uploads (tus), which then serve no second form. One service for the class, each
 * test under uids of its own.
 */
class ContributionTest extends WithPeers {

    static final String SUBJECT = "Thank you for your contribution to iGait!";
    static final String WITHDRAWN = "Your contribution to iGait has been withdrawn";

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        p.put("igait.limits.per-user", "4/1h");
        p.put("igait.contribute.required-consents", "consent_study");
        service = TestService.start(p);
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
    void aContributionIsStoredWithItsConsentRecordThankedRecordedAndThenWithdrawnLeavingOnlyItsStatus() throws Exception {
        String uid = "contributor-a";
        String email = "a.parent+study@example.org";
        String token = keys.token(uid);
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 150_000);
        Path side = Videos.video(tmp.resolve("side.webm"), "webm", 90_000);
        HttpResponse<String> accepted = contribute(token, form("Zoë O'Neil", email, front, side)
                .field("consent_study", "true").field("consent_publications", "false").field("consent_talks", "on"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode body = Http.json(accepted.body());
        String id = body.get("contributionId").asText();
        assertThat(body.get("statusUrl").asText()).isEqualTo("/api/v1/contributions/" + id);

        await().atMost(Peers.timeout()).until(() -> "Complete".equals(status(id, token).path("status").path("code").asText()));
        JsonNode status = status(id, token);
        assertThat(status.get("stage").asText()).isEqualTo("done/contributions");
        assertThat(status.get("uid").asText()).isEqualTo(uid);
        assertThat(status.get("receivedAt").asText()).isNotEmpty();
        assertThat(status.get("storedAt").asText()).isNotEmpty();
        assertThat(status.toString()).doesNotContain(email).doesNotContain("O'Neil").doesNotContain("consent");

        // S3: the later iGait's keys, ';' and '+' and all, each object there once and byte for byte.
        List<S3Object> objects = objects("research/" + uid + ";");
        assertThat(objects).hasSize(3);
        String folder = objects.get(0).key().substring(0, objects.get(0).key().lastIndexOf('/') + 1);
        assertThat(folder).matches("research/contributor-a;a\\.parent\\+study_at_example\\.org/[0-9]{10}/");
        assertThat(objects).extracting(S3Object::key).containsExactlyInAnyOrder(folder + "front.mp4", folder + "side.webm",
                folder + "consent.json");
        assertThat(object(folder + "front.mp4")).isEqualTo(Files.readAllBytes(front));
        assertThat(object(folder + "side.webm")).isEqualTo(Files.readAllBytes(side));
        JsonNode consent = Http.json(new String(object(folder + "consent.json"), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(consent.get("contributionId").asText()).isEqualTo(id);
        assertThat(consent.get("uid").asText()).isEqualTo(uid);
        assertThat(consent.get("name").asText()).isEqualTo("Zoë O'Neil");
        assertThat(consent.get("consents").toString()).isEqualTo("{\"consent_study\":true,\"consent_publications\":false,"
                + "\"consent_classrooms\":false,\"consent_conferences\":false,\"consent_talks\":true}");
        assertThat(consent.get("requestedAt").asText()).isEqualTo(status.get("receivedAt").asText());
        assertThat(folder).endsWith("/" + java.time.Instant.parse(status.get("receivedAt").asText()).getEpochSecond() + "/");
        assertThat(consent.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(consent.get("serviceVersion").asText()).isEqualTo("1.0.0-SNAPSHOT");

        // The thank-you, once, naming the contributor and the study's contact.
        List<MimeMessage> mails = peers.mailsTo(email);
        assertThat(mails).hasSize(1);
        assertThat(mails.get(0).getSubject()).isEqualTo(SUBJECT);
        assertThat(mails.get(0).getContent().toString()).contains("Dear Zoë O&#39;Neil,").contains("GaitStudy@niu.edu")
                .contains("shown in talks").doesNotContain("publications");

        // The record, apart from the screening tree.
        JsonNode record = Http.json(peers.firebase.get("contributions/" + uid + "/" + id));
        assertThat(record.get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(record.get("email").asText()).isEqualTo(email);
        assertThat(record.get("consents").get("consent_talks").asBoolean()).isTrue();
        assertThat(peers.user(uid).isNull()).isTrue();
        assertThat(Files.list(service.dataDir().resolve("contributions").resolve(id)).map(p -> p.getFileName().toString()).toList())
                .containsExactly("contribution.json");

        // Nobody else's: another account does not find it, no token is 401.
        assertThat(get(id, keys.token("someone-else")).statusCode()).isEqualTo(404);
        assertThat(get(id, null).statusCode()).isEqualTo(401);
        assertThat(delete(id, keys.token("someone-else")).statusCode()).isEqualTo(404);

        // Withdrawn once stored: 202, then nothing of it in S3, the confirmation, and the record's status only.
        HttpResponse<String> withdrawal = delete(id, token);
        assertThat(withdrawal.statusCode()).as(withdrawal.body()).isEqualTo(202);
        assertThat(Http.json(withdrawal.body()).get("status").get("code").asText()).isEqualTo("Withdrawing");
        await().atMost(Peers.timeout()).until(() -> "Withdrawn".equals(status(id, token).path("status").path("code").asText()));
        assertThat(objects("research/" + uid + ";")).isEmpty();
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(email).size() == 2);
        assertThat(peers.mailsTo(email).get(1).getSubject()).isEqualTo(WITHDRAWN);
        record = Http.json(peers.firebase.get("contributions/" + uid + "/" + id));
        assertThat(record.get("status").get("code").asText()).isEqualTo("Withdrawn");
        assertThat(record.has("email")).isFalse();
        assertThat(record.has("name")).isFalse();
        assertThat(record.has("objects")).isFalse();
        assertThat(service.dataDir().resolve("contributions").resolve(id)).doesNotExist();
        // A second DELETE changes nothing, and says so.
        HttpResponse<String> again = delete(id, token);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Http.json(again.body()).get("status").get("code").asText()).isEqualTo("Withdrawn");
        Thread.sleep(1000);
        assertThat(peers.mailsTo(email)).hasSize(2);
    }

    @Test
    void aRequiredConsentMissingIs400NamingItAndAFormOfAnotherUidIs403AndNothingIsKept() throws Exception {
        String token = keys.token("contributor-b");
        List<String> before = folders(service.dataDir().resolve("contributions"));
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 20_000);
        Path side = Videos.mp4(tmp.resolve("side.mp4"), 20_000);
        for (Multipart bad : List.of(form("B", "b@example.org", front, side),
                                     form("B", "b@example.org", front, side).field("consent_study", "false"))) {
            HttpResponse<String> refused = contribute(token, bad);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(Http.json(refused.body()).get("error").asText()).isEqualTo("consent_required");
            assertThat(Http.json(refused.body()).get("field").asText()).isEqualTo("consent_study");
        }
        HttpResponse<String> maybe = contribute(token, form("B", "b@example.org", front, side).field("consent_study", "maybe"));
        assertThat(maybe.statusCode()).isEqualTo(400);
        assertThat(Http.json(maybe.body()).get("field").asText()).isEqualTo("consent_study");
        // Each of those counted against the account's window (their bodies were read): another account goes on.
        token = keys.token("contributor-b2");
        HttpResponse<String> nameless = contribute(token, form(" ", "b@example.org", front, side).field("consent_study", "true"));
        assertThat(nameless.statusCode()).isEqualTo(400);
        assertThat(Http.json(nameless.body()).get("field").asText()).isEqualTo("name");
        HttpResponse<String> other = contribute(token, form("B", "b@example.org", front, side).field("consent_study", "true")
                .field("uid", "contributor-c"));
        assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
        assertThat(Http.json(other.body()).get("error").asText()).isEqualTo("uid_mismatch");
        HttpResponse<String> unsigned = contribute(null, form("B", "b@example.org", front, side).field("consent_study", "true"));
        assertThat(unsigned.statusCode()).isEqualTo(401);

        // Nothing kept: no contribution folder that was not there before, no upload left in data/uploads.
        assertThat(folders(service.dataDir().resolve("contributions"))).isSubsetOf(before);
        try (var uploads = Files.list(service.dataDir().resolve("uploads"))) {
            assertThat(uploads.toList()).isEmpty();
        }
        assertThat(objects("research/contributor-b")).isEmpty();
        assertThat(peers.mailsTo("b@example.org")).isEmpty();
    }

    @Test
    void aUsersContributionsAndUploadsCountTogetherAgainstTheSameWindow() throws Exception {
        String uid = "sharer";
        String token = keys.token(uid);
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 20_000);
        Path side = Videos.mp4(tmp.resolve("side.mp4"), 20_000);
        assertThat(upload(token, front, side, "7").statusCode()).isEqualTo(202);
        // Refused after its body was read: it counts all the same.
        assertThat(upload(token, front, side, "seven").statusCode()).isEqualTo(400);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = contribute(token, form("Sharer", "sharer@example.org", front, side).field("consent_study", "1"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            ids.add(Http.json(r.body()).get("contributionId").asText());
        }
        // igait.limits.per-user is 4/1h here: the fifth of either kind is refused before its body.
        HttpResponse<String> fifth = contribute(token, form("Sharer", "sharer@example.org", front, side).field("consent_study", "1"));
        assertThat(fifth.statusCode()).as(fifth.body()).isEqualTo(429);
        assertThat(Http.json(fifth.body()).get("error").asText()).isEqualTo("too_many_requests");
        assertThat(fifth.headers().firstValue("Retry-After")).isPresent();
        assertThat(upload(token, front, side, "7").statusCode()).isEqualTo(429);
        // Another user has a window of its own.
        assertThat(contribute(keys.token("sharer-2"), form("Other", "other@example.org", front, side).field("consent_study", "1"))
                .statusCode()).isEqualTo(202);
        // Two contributions in one second still have folders of their own.
        for (String id : ids) {
            await().atMost(Peers.timeout()).until(() -> "Complete".equals(status(id, token).path("status").path("code").asText()));
        }
        assertThat(objects("research/sharer;")).hasSize(6);
    }

    @Test
    void whileS3IsDownAContributionWaitsSayingSoAndOneWithdrawnMeanwhileLeavesNothingInS3() throws Exception {
        String uid = "patient";
        String token = keys.token(uid);
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 30_000);
        Path side = Videos.mp4(tmp.resolve("side.mp4"), 30_000);
        String kept;
        String withdrawn;
        peers.s3.stop();
        try {
            kept = Http.json(contribute(token, form("Kept", "kept@example.org", front, side).field("consent_study", "true")).body())
                    .get("contributionId").asText();
            withdrawn = Http.json(contribute(token, form("Gone", "gone@example.org", front, side).field("consent_study", "true")).body())
                    .get("contributionId").asText();
            await().atMost(Peers.timeout()).until(() -> status(kept, token).path("status").path("value").asText()
                    .equals("S3 unavailable, retrying"));
            assertThat(status(kept, token).get("status").get("code").asText()).isEqualTo("Received");
            assertThat(status(kept, token).get("stage").asText()).isEqualTo("c1-store");
            HttpResponse<String> asked = delete(withdrawn, token);
            assertThat(asked.statusCode()).isEqualTo(202);
            assertThat(Http.json(asked.body()).get("stage").asText()).isEqualTo("cw-withdraw");
        } finally {
            peers.s3.start();
        }
        await().atMost(Peers.timeout()).until(() -> "Complete".equals(status(kept, token).path("status").path("code").asText()));
        await().atMost(Peers.timeout()).until(() -> "Withdrawn".equals(status(withdrawn, token).path("status").path("code").asText()));
        assertThat(objects("research/patient;kept_at_example.org/")).hasSize(3);
        assertThat(objects("research/patient;gone_at_example.org/")).isEmpty();
        assertThat(peers.mailsTo("kept@example.org")).extracting(MimeMessage::getSubject).containsExactly(SUBJECT);
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo("gone@example.org").size() == 1);
        assertThat(peers.mailsTo("gone@example.org")).extracting(MimeMessage::getSubject).containsExactly(WITHDRAWN);
        assertThat(Http.json(peers.firebase.get("contributions/" + uid + "/" + withdrawn)).get("status").get("code").asText())
                .isEqualTo("Withdrawn");
    }

    @Test
    void aContributionMayNameTwoFinishedResumableUploadsWhichGoToS3AsSentAndServeOnce() throws Exception {
        String uid = "contributor-tus";
        String token = keys.token(uid);
        TusCalls tus = new TusCalls(service::uri);
        byte[] front = Videos.bytes("mp4", 300_000);
        byte[] side = Videos.bytes("mov", 200_000);
        String frontUpload = tus.upload(token, front, "front.mp4", 128 * 1024);
        String sideUpload = tus.upload(token, side, "side.mov", 128 * 1024);
        String foreign = tus.upload(keys.token("someone-else"), side, "side.mov", 200_000);

        // Another account's upload is named as unknown, and the form keeps nothing (the uploads stay usable).
        HttpResponse<String> refused = contribute(token, byReference(service.uri(frontUpload).toString(), foreign));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(Http.json(refused.body()).path("error").asText()).isEqualTo("unknown_upload");
        assertThat(Http.json(refused.body()).path("field").asText()).isEqualTo("fileuploadside");

        // The absolute URL a tus client holds, or the id alone.
        HttpResponse<String> accepted = contribute(token, byReference(service.uri(frontUpload).toString(),
                sideUpload.substring(sideUpload.lastIndexOf('/') + 1)));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = Http.json(accepted.body()).get("contributionId").asText();
        assertThat(tus.head(token, frontUpload).statusCode()).as("moved into the contribution before the 202").isEqualTo(404);

        await().atMost(Peers.timeout()).until(() -> "Complete".equals(status(id, token).path("status").path("code").asText()));
        List<S3Object> objects = objects("research/" + uid + ";");
        String folder = objects.get(0).key().substring(0, objects.get(0).key().lastIndexOf('/') + 1);
        assertThat(objects).extracting(S3Object::key).containsExactlyInAnyOrder(folder + "front.mp4", folder + "side.mov",
                folder + "consent.json");
        assertThat(object(folder + "front.mp4")).isEqualTo(front);
        assertThat(object(folder + "side.mov")).isEqualTo(side);

        HttpResponse<String> again = contribute(token, byReference(frontUpload, sideUpload));
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(Http.json(again.body()).path("error").asText()).isEqualTo("unknown_upload");
        assertThat(Http.json(again.body()).path("field").asText()).isEqualTo("fileuploadfront");
    }

    /** The contribution form with its videos named by reference: text fields holding the uploads' URLs (or ids). */
    static Multipart byReference(String front, String side) {
        return new Multipart().field("name", "Sam Lee").field("email", "sam@example.org").field("consent_study", "true")
                .field("fileuploadfront", front).field("fileuploadside", side);
    }

    // ---- helpers ----

    static Multipart form(String name, String email, Path front, Path side) {
        return new Multipart().field("name", name).field("email", email)
                .file("fileuploadfront", front.getFileName().toString(), front)
                .file("fileuploadside", side.getFileName().toString(), side);
    }

    static HttpResponse<String> contribute(String token, Multipart form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/api/v1/contribute")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", form.contentType()).POST(form.build());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Http.send(request.build());
    }

    private static HttpResponse<String> upload(String token, Path front, Path side, String age) {
        Multipart form = new Multipart().field("age", age).field("ethnicity", "Asian").field("sex", "F").field("height", "1m")
                .field("weight", "20").field("email", "sharer@example.org")
                .file("fileuploadfront", "front.mp4", front).file("fileuploadside", "side.mp4", side);
        return Http.send(HttpRequest.newBuilder(service.uri("/api/v1/upload")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", form.contentType()).POST(form.build()).build());
    }

    static HttpResponse<String> get(String id, String token) {
        return call("GET", id, token);
    }

    static HttpResponse<String> delete(String id, String token) {
        return call("DELETE", id, token);
    }

    private static HttpResponse<String> call(String method, String id, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/api/v1/contributions/" + id)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Http.send(request.build());
    }

    static JsonNode status(String id, String token) {
        HttpResponse<String> r = get(id, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r.body());
    }

    static List<String> folders(Path dir) throws java.io.IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    static List<S3Object> objects(String prefix) {
        try (S3Client s3 = peers.s3.client()) {
            return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(prefix).build()).contents();
        }
    }

    static byte[] object(String key) {
        try (S3Client s3 = peers.s3.client()) {
            return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(Peers.BUCKET).key(key).build()).asByteArray();
        }
    }
}
