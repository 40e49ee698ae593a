package edu.niu.igait.completion;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.MailLinks;
import edu.niu.igait.support.PresignedLinks;
import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.WithPeers;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;

import static edu.niu.igait.completion.CompletionCalls.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** POST /api/v1/completion and stage 5 against the real peers: Firebase, S3, SMTP (and Metis for uploads). */
class CompletionTest extends WithPeers {

    static final String PARENT = "parent@example.org";
    static final String RESULT_SUBJECT = "Your recent submission to iGait App has completed!";
    static final String FAILURE_SUBJECT = "Your recent submission to iGait App failed!";

    TestService service;

    @BeforeEach
    void startService() throws Exception {
        service = TestService.start(properties());
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    static Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("igait.access-key", KEY);
        p.put("igait.alerts.delay", "2s");
        p.put("igait.alerts.window", "10m");
        return p;
    }

    @Test
    void okFromMetisAfterAnUploadSetsCompleteAndSendsOneResultMailWithWorkingLinks() throws Exception {
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 200_000);
        Path side = Videos.video(tmp.resolve("side.MOV"), "mov", 100_000);
        String uid = "parent_A-1";
        String sid = edu.niu.igait.pipeline.UploadsForTests.post(service.uri("/api/v1/upload"), uid, PARENT,
                StoredJobs.ETHNICITY, front, side);
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
        assertThat(peers.mailsTo(PARENT)).hasSize(1); // the welcome mail
        byte[][] keyframed = StoredJobs.keyframed(peers, uid, 0, "mp4", "mov", 150_000);

        // Metis today: multipart, the key as a form field.
        HttpResponse<String> response = CompletionCalls.multipart(service.uri(""),
                CompletionCalls.withKey(uid, 0, "OK", "0.87"), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        JsonNode accepted = Http.json(response.body());
        assertThat(accepted.get("status").asText()).isEqualTo("accepted");
        String ticket = accepted.get("ticket").asText();

        Path done = service.dataDir().resolve("done").resolve("5-complete").resolve(ticket);
        await().atMost(Peers.timeout()).until(() -> Files.exists(done));
        // The folder the pipeline made on the way is the service's user's alone, as all of data/ (intake.FileModesTest).
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(done.getParent())))
                .isEqualTo("rwx------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(done))).isEqualTo("rw-------");
        JsonNode job = StoredJobs.job(peers, uid, 0);
        assertThat(job.get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(job.get("status").get("value").asText()).isEqualTo("0.87");
        assertThat(job.get("completion").get("status_code").asText()).isEqualTo("OK");
        assertThat(job.get("completion").get("mailed_at").asText()).isNotEmpty();
        assertThat(job.get("submission_id").asText()).isEqualTo(sid);

        Thread.sleep(1000);
        List<MimeMessage> results = resultMails(PARENT, RESULT_SUBJECT);
        assertThat(results).hasSize(1);
        String html = results.get(0).getContent().toString();
        assertThat(html).contains("0.87").contains("&lt;b&gt;Asian &amp; &quot;Other&quot;&lt;/b&gt;")
                .doesNotContain("<b>Asian").contains("4&#39;2&quot;").contains("55").contains(uid)
                .contains("GaitStudy@niu.edu").contains(" UTC").contains("7 days");

        // Both links, fetched with a plain client, give the bytes Metis put; a tampered signature does not.
        List<String> links = MailLinks.in(html);
        assertThat(links).hasSize(2);
        assertThat(links.get(0)).contains("/" + uid + "/0/front_keyframed.mp4").contains("X-Amz-Expires=604800");
        assertThat(links.get(1)).contains("/" + uid + "/0/side_keyframed.mov");
        assertThat(PresignedLinks.fetch(links.get(0)).body()).isEqualTo(keyframed[0]);
        assertThat(PresignedLinks.fetch(links.get(1)).body()).isEqualTo(keyframed[1]);
        assertThat(PresignedLinks.fetch(PresignedLinks.tamper(links.get(0))).statusCode()).isEqualTo(403);

        // The status endpoint still answers for the submission, with the final status and no score.
        HttpResponse<String> status = Http.get(service.uri("/api/v1/submissions/" + sid));
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode s = Http.json(status.body());
        assertThat(s.get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(s.findValuesAsText("value")).doesNotContain("0.87");
        assertThat(status.body()).doesNotContain("\"0.87\"");
        assertThat(s.get("history").findValuesAsText("code").stream().filter("Complete"::equals).count()).isEqualTo(1);
        assertThat(service.dataDir().resolve("stages").resolve("5-complete").toFile().list()).isEmpty();
    }

    @Test
    void errWithTheBearerHeaderOverUrlencodedSetsInferenceErrAndSendsOneFailureMail() throws Exception {
        StoredJobs.record(peers, "err-user", 3, PARENT);
        String reason = "Pose estimation failed: <no person> & \"nothing\" found";
        HttpResponse<String> response = CompletionCalls.urlencoded(service.uri(""),
                CompletionCalls.result("err-user", 3, "ERR", reason), KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

        await().atMost(Peers.timeout()).until(() -> resultMails(PARENT, FAILURE_SUBJECT).size() == 1);
        await().atMost(Peers.timeout()).until(() -> "InferenceErr".equals(StoredJobs.job(peers, "err-user", 3).get("status").get("code").asText()));
        JsonNode job = StoredJobs.job(peers, "err-user", 3);
        assertThat(job.get("status").get("value").asText()).isEqualTo(reason);
        assertThat(job.get("age").asInt()).isEqualTo(7); // the rest of the job is left as it was
        assertThat(job.get("pbs_id").asText()).isEqualTo("7.metis");
        await().atMost(Peers.timeout()).until(() -> ticketsIn("done/5-complete") == 1);
        Thread.sleep(1000);
        assertThat(peers.mailsTo(PARENT)).hasSize(1);
        String html = peers.mailsTo(PARENT).get(0).getContent().toString();
        assertThat(html).contains("Pose estimation failed: &lt;no person&gt; &amp; &quot;nothing&quot; found")
                .contains("InferenceErr").contains("err-user").contains("<td>3</td>").contains("GaitStudy@niu.edu")
                .contains(StoredJobs.SUBMITTED_UTC);
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void theSameCompletionThreeTimesSendsOneMailAndADifferentResultIsAppliedAndMailed() throws Exception {
        StoredJobs.record(peers, "thrice", 0, PARENT);
        StoredJobs.keyframed(peers, "thrice", 0, "mp4", "mp4", 1000);
        // multipart with the Bearer header, urlencoded with the form key, multipart with the form key
        assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.result("thrice", 0, "OK", "0.42"), KEY).statusCode()).isEqualTo(202);
        assertThat(CompletionCalls.urlencoded(service.uri(""), CompletionCalls.withKey("thrice", 0, "OK", "0.42"), null).statusCode()).isEqualTo(202);
        assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.withKey("thrice", 0, "OK", "0.42"), null).statusCode()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> ticketsIn("done/5-complete") == 3);
        Thread.sleep(1000);
        assertThat(resultMails(PARENT, RESULT_SUBJECT)).hasSize(1);
        JsonNode job = StoredJobs.job(peers, "thrice", 0);
        assertThat(job.get("status").get("code").asText()).isEqualTo("Complete");
        assertThat(job.get("status").get("value").asText()).isEqualTo("0.42");
        String mailedAt = job.get("completion").get("mailed_at").asText();

        // A re-run on Metis with another result: applied and mailed.
        assertThat(CompletionCalls.multipart(service.uri(""), CompletionCalls.withKey("thrice", 0, "OK", "0.55"), null).statusCode()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> ticketsIn("done/5-complete") == 4);
        Thread.sleep(500);
        assertThat(resultMails(PARENT, RESULT_SUBJECT)).hasSize(2);
        job = StoredJobs.job(peers, "thrice", 0);
        assertThat(job.get("status").get("value").asText()).isEqualTo("0.55");
        assertThat(job.get("completion").get("mailed_at").asText()).isNotEqualTo(mailedAt);
        assertThat(resultMails(PARENT, RESULT_SUBJECT).get(1).getContent().toString()).contains("0.55");
    }

    @Test
    void thirtyCallsWithAWrongOrMissingKeyAreAll401ChangeNothingAndRaiseOneAlertCountingThirty() throws Exception {
        StoredJobs.record(peers, "victim", 0, PARENT);
        String before = peers.firebase.get("users/victim");
        DataDirSnapshot data = DataDirSnapshot.of(service.dataDir());
        List<Supplier<HttpResponse<String>>> calls = new ArrayList<>();
        String wrong = KEY.substring(0, KEY.length() - 1) + "X";
        calls.add(() -> CompletionCalls.multipart(service.uri(""), CompletionCalls.result("victim", 0, "OK", "0.99").add("igait_access_key", wrong), null));
        calls.add(() -> CompletionCalls.urlencoded(service.uri(""), CompletionCalls.result("victim", 0, "OK", "0.99").add("igait_access_key", "guess"), null));
        calls.add(() -> CompletionCalls.multipart(service.uri(""), CompletionCalls.result("victim", 0, "OK", "0.99"), null));
        calls.add(() -> CompletionCalls.urlencoded(service.uri(""), CompletionCalls.result("victim", 0, "ERR", "x"), wrong));
        calls.add(() -> CompletionCalls.multipart(service.uri(""), CompletionCalls.result("victim", 0, "OK", "0.99"), ""));
        calls.add(() -> CompletionCalls.multipart(service.uri(""), CompletionCalls.result("victim", 0, "OK", "0.99")
                .add("igait_access_key", KEY).add("igait_access_key", wrong), null)); // the key twice is no key
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = calls.get(i % calls.size()).get();
            assertThat(r.statusCode()).as("call %d: %s", i, r.body()).isEqualTo(401);
            assertThat(Http.json(r.body()).get("error").asText()).isEqualTo("unauthorized");
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        }
        data.awaitUnchanged(Duration.ofSeconds(5));
        assertThat(peers.firebase.get("users/victim")).isEqualTo(before);

        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() >= 1);
        Thread.sleep(3000);
        List<MimeMessage> alerts = peers.mailsTo(Peers.OPERATOR);
        assertThat(alerts).hasSize(1);
        String text = alerts.get(0).getContent().toString();
        assertThat(alerts.get(0).getSubject()).contains("30 refused calls");
        assertThat(text).contains("Refused calls: 30").contains("127.0.0.1 (30 calls)")
                .doesNotContain(wrong).doesNotContain("guess").doesNotContain(KEY);
        assertThat(peers.mailsTo(PARENT)).isEmpty();
        assertThat(peers.firebase.get("users/victim")).isEqualTo(before);
    }

    @Test
    void refusedCallsAfterAnAlertWaitForTheWindowAndAreCountedSinceThatAlert() throws Exception {
        service.close();
        Map<String, String> p = properties();
        p.put("igait.alerts.delay", "1s");
        p.put("igait.alerts.window", "8s");
        service = TestService.start(p);
        CompletionCalls.Form noKey = CompletionCalls.result("w", 0, "OK", "1");
        assertThat(CompletionCalls.urlencoded(service.uri(""), noKey, null).statusCode()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).until(() -> peers.mailsTo(Peers.OPERATOR).size() == 1);
        long firstAlert = System.nanoTime();
        assertThat(peers.mailsTo(Peers.OPERATOR).get(0).getContent().toString()).contains("Refused calls: 1<");
        for (int i = 0; i < 3; i++) {
            assertThat(CompletionCalls.multipart(service.uri(""), noKey, "nope").statusCode()).isEqualTo(401);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> peers.mailsTo(Peers.OPERATOR).size() == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - firstAlert)).isGreaterThanOrEqualTo(Duration.ofSeconds(7));
        assertThat(peers.mailsTo(Peers.OPERATOR).get(1).getContent().toString()).contains("Refused calls: 3<");
    }

    @Test
    void aResultForAJobTheStoreDoesNotHaveIsAcceptedThenFailedWithAnAlert() throws Exception {
        HttpResponse<String> response = CompletionCalls.multipart(service.uri(""),
                CompletionCalls.withKey("nobody", 12, "OK", "0.5"), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String ticket = Http.json(response.body()).get("ticket").asText();
        Path failed = service.dataDir().resolve("failed").resolve("5-complete").resolve(ticket);
        await().atMost(Peers.timeout()).until(() -> Files.exists(failed));
        await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).size() == 1);
        MimeMessage alert = peers.mailsTo(Peers.OPERATOR).get(0);
        assertThat(alert.getSubject()).contains("could not be applied");
        assertThat(alert.getContent().toString()).contains("nobody").contains("job 12").contains("does not have");
        assertThat(peers.firebase.get("users/nobody")).isEqualTo("null"); // nothing half-made
        JsonNode kept = Http.json(Files.readString(failed));
        assertThat(kept.get("status_content").asText()).isEqualTo("0.5");
        assertThat(kept.has("retry")).isFalse();
        Thread.sleep(500);
        assertThat(peers.mail.messages()).hasSize(1);
    }

    @Test
    void malformedCallsAre400NamingTheFieldAndNothingIsPersisted() throws Exception {
        StoredJobs.record(peers, "shape", 0, PARENT);
        String before = peers.firebase.get("users/shape");
        DataDirSnapshot data = DataDirSnapshot.of(service.dataDir());
        CompletionCalls.Form good = CompletionCalls.result("shape", 0, "OK", "0.5");
        URI base = service.uri("");
        String big = "x".repeat(4097);
        String multibyte = "é".repeat(2049); // 2049 characters, 4098 bytes
        record Case(String what, Supplier<Answer> call, String field) {
        }
        List<Case> cases = new ArrayList<>();
        for (String field : CompletionValidator.FIELDS) {
            cases.add(new Case(field + " missing (multipart)", () -> Answer.of(CompletionCalls.multipart(base, good.without(field), KEY)), field));
            cases.add(new Case(field + " missing (urlencoded)", () -> Answer.of(CompletionCalls.urlencoded(base, good.without(field), KEY)), field));
            cases.add(new Case(field + " twice", () -> Answer.of(CompletionCalls.urlencoded(base, good.plus(field, good.fields.stream()
                    .filter(e -> e.getKey().equals(field)).findFirst().orElseThrow().getValue()), KEY)), field));
            cases.add(new Case(field + " as a file", () -> {
                Multipart body = good.without(field).multipart().file(field, field + ".txt", "0.5".getBytes(StandardCharsets.UTF_8));
                return Answer.of(CompletionCalls.send(base, body.contentType(), body.build(), KEY));
            }, field));
        }
        for (String uid : new String[] {"bad/uid", "a b", "", "x".repeat(129), "../etc"}) {
            cases.add(new Case("user_id '" + uid + "'", () -> Answer.of(CompletionCalls.multipart(base, good.with("user_id", uid), KEY)), "user_id"));
        }
        for (String jobId : new String[] {"-1", "abc", "1.5", "", "99999999999", "2147483648", "0x1"}) {
            cases.add(new Case("job_id '" + jobId + "'", () -> Answer.of(CompletionCalls.urlencoded(base, good.with("job_id", jobId), KEY)), "job_id"));
        }
        for (String code : new String[] {"ok", "DONE", "", "OK ERR"}) {
            cases.add(new Case("status_code '" + code + "'", () -> Answer.of(CompletionCalls.multipart(base, good.with("status_code", code), KEY)), "status_code"));
        }
        cases.add(new Case("status_content empty", () -> Answer.of(CompletionCalls.multipart(base, good.with("status_content", " "), KEY)), "status_content"));
        cases.add(new Case("status_content 4097 bytes (urlencoded)", () -> Answer.of(CompletionCalls.urlencoded(base, good.with("status_content", big), KEY)), "status_content"));
        cases.add(new Case("status_content 4097 bytes (multipart)", () -> Answer.of(CompletionCalls.multipart(base, good.with("status_content", big), KEY)), "status_content"));
        cases.add(new Case("status_content 4098 bytes in 2049 characters", () -> Answer.of(CompletionCalls.multipart(base, good.with("status_content", multibyte), KEY)), "status_content"));
        cases.add(new Case("status_content 20 KB (multipart)", () -> Answer.of(CompletionCalls.multipart(base, good.with("status_content", "y".repeat(20_000)), KEY)), "status_content"));
        // Refused before the body is read: sent over a plain socket, which reads the answer even when the server closes early.
        cases.add(new Case("status_content 2 MB (multipart)", () -> Answer.raw(service.port(), good.with("status_content", "z".repeat(2_000_000))), "status_content"));
        cases.add(new Case("status_content 100 KB (urlencoded, over igait.http.max-form-bytes)", () -> Answer.raw(service.port(),
                "application/x-www-form-urlencoded", good.with("status_content", "v".repeat(100_000)).urlencoded().getBytes(StandardCharsets.UTF_8)), "status_content"));
        cases.add(new Case("status_content 60 KB (urlencoded)", () -> Answer.of(CompletionCalls.urlencoded(base, good.with("status_content", "w".repeat(60_000)), KEY)), "status_content"));
        cases.add(new Case("JSON body", () -> Answer.of(CompletionCalls.send(base, "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"user_id\":\"shape\",\"job_id\":0,\"status_code\":\"OK\",\"status_content\":\"0.5\"}"), KEY)), null));
        cases.add(new Case("plain text body", () -> Answer.of(CompletionCalls.send(base, "text/plain", HttpRequest.BodyPublishers.ofString(good.urlencoded()), KEY)), null));
        cases.add(new Case("no content type", () -> Answer.of(CompletionCalls.send(base, null, HttpRequest.BodyPublishers.ofString(good.urlencoded()), KEY)), null));
        cases.add(new Case("empty body", () -> Answer.of(CompletionCalls.send(base, null, HttpRequest.BodyPublishers.noBody(), KEY)), null));

        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            Answer r = c.call().get();
            JsonNode body = r.body().startsWith("{") ? Http.json(r.body()) : null;
            String field = body == null || body.get("field") == null ? null : body.get("field").asText();
            if (r.status() != 400 || body == null || !java.util.Objects.equals(field, c.field())
                    || !r.contentType().contains("json")) {
                wrong.add(c.what() + ": " + r.status() + " " + abbreviate(r.body()));
            }
        }
        assertThat(wrong).as("calls not answered 400 naming the field").isEmpty();

        // A good call still works afterwards (the connection handling survived the refusals).
        assertThat(CompletionCalls.urlencoded(base, CompletionCalls.result("shape", 0, "ERR", "fine"), KEY).statusCode()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> ticketsIn("done/5-complete") == 1);
        assertThat(DataDirSnapshot.of(service.dataDir()).under("stages/5-complete")).isEmpty();
        assertThat(DataDirSnapshot.of(service.dataDir()).under("failed/5-complete")).isEmpty();
        assertThat(DataDirSnapshot.of(service.dataDir()).under("uploads")).isEmpty();
        assertThat(before).contains("Processing");
        assertThat(peers.mailsTo(Peers.OPERATOR)).isEmpty();
    }

    @Test
    void otherMethodsAreRefused() {
        HttpResponse<String> r = Http.get(service.uri(CompletionCalls.PATH));
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(Http.json(r.body()).get("error").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void linksValidLongerThanSigV4AllowsAreRefusedAtStartUp() {
        for (String validity : new String[] {"8d", "169h", "0s"}) {
            Map<String, String> p = properties();
            p.put("igait.completion.link-validity", validity);
            assertThatThrownBy(() -> TestService.start(p).close())
                    .hasMessageContaining("igait.completion.link-validity").hasMessageContaining("7d");
        }
    }

    @Test
    void aShorterLinkValidityIsWhatTheLinksCarry() throws Exception {
        service.close();
        Map<String, String> p = properties();
        p.put("igait.completion.link-validity", "36h");
        service = TestService.start(p);
        StoredJobs.record(peers, "short", 1, PARENT);
        byte[][] keyframed = StoredJobs.keyframed(peers, "short", 1, "webm", "avi", 500);
        assertThat(CompletionCalls.urlencoded(service.uri(""), CompletionCalls.withKey("short", 1, "OK", "0.1"), null).statusCode()).isEqualTo(202);
        await().atMost(Peers.timeout()).until(() -> resultMails(PARENT, RESULT_SUBJECT).size() == 1);
        String html = resultMails(PARENT, RESULT_SUBJECT).get(0).getContent().toString();
        assertThat(html).contains("36 hours").contains(StoredJobs.SUBMITTED_UTC);
        List<String> links = MailLinks.in(html);
        assertThat(links.get(0)).contains("/short/1/front_keyframed.webm").contains("X-Amz-Expires=129600");
        assertThat(links.get(1)).contains("/short/1/side_keyframed.avi");
        assertThat(PresignedLinks.fetch(links.get(1)).body()).isEqualTo(keyframed[1]);
    }

    // ---- helpers ----

    /** An answer from java.net.http or from a plain socket. */
    record Answer(int status, String contentType, String body) {
        static Answer of(HttpResponse<String> r) {
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        }

        static Answer raw(int port, CompletionCalls.Form form) {
            String boundary = "raw-" + Long.toHexString(System.nanoTime());
            return raw(port, "multipart/form-data; boundary=" + boundary, form.multipartBytes(boundary));
        }

        static Answer raw(int port, String contentType, byte[] body) {
            RawHttp.Response r = RawHttp.exchange(port, "POST " + CompletionCalls.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n"
                    + "Authorization: Bearer " + KEY + "\r\n", body, 30_000);
            return new Answer(r.status(), r.headers().getOrDefault("content-type", ""), r.body());
        }
    }

    private long ticketsIn(String folder) throws Exception {
        Path dir = service.dataDir().resolve(folder);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> edu.niu.igait.job.Ticket.isCompletionName(p.getFileName().toString())).count();
        }
    }

    static List<MimeMessage> resultMails(String to, String subject) {
        return resultMails(peers, to, subject);
    }

    static List<MimeMessage> resultMails(Peers peers, String to, String subject) {
        return peers.mailsTo(to).stream().filter(m -> {
            try {
                return subject.equals(m.getSubject());
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).toList();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
