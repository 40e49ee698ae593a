package edu.niu.igait.records;

import java.net.URLEncoder;
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
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.internet.MimeMessage;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.MailLinks;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.PresignedLinks;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A parent's own records against the real peers (firebase-server, S3Proxy, the SMTP server), signed in
 * with Firebase ID tokens of a key server on 127.0.0.1: the list with its filters, a job's files as
 * presigned links, the status and the list once the local job.json is gone, another uid's jobs refused
 * and an administrator's reading them, and the history by mail with its PDF report. One service for
 * the class; each test seeds the job store under uids of its own (the history limit counts per uid).
 */
class RecordsTest extends WithPeers {

    static final long T0 = 1_717_243_200L; // 2024-06-01 12:00:00 UTC
    static final long DAY = 86_400L;
    static final String HISTORY_SUBJECT = "Your iGait Submission History";

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        p.put("igait.limits.per-user", "1000/1h");
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
    void theListIsTheCallersJobsNewestFirstFilteredOneByOneAndTogetherWithoutAddressesOrChildrensData() {
        String uid = "lister";
        String[][] jobs = {
            {"Submitting", "Submission received, being recorded."}, {"Queue", "Currently in queue."},
            {"Processing", "Submitted to Metis as PBS job 7.metis."}, {"SubmissionErr", "Submission failed: S3 refused."},
            {"InferenceErr", "Pose estimation failed"}, {"Complete", "0.2"}, {"Complete", "0.5"}, {"Complete", "0.87"},
            {"Complete", "0.93"}, {"Complete", "not a number"}};
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < jobs.length; i++) {
            sids.add(SeededJobs.put(peers, uid, i, SeededJobs.job(SeededJobs.sid(), T0 + i * DAY, jobs[i][0], jobs[i][1],
                    "lister@example.org", 4 + i, "M", "10" + i + "cm", 30 + i)));
        }
        SeededJobs.put(peers, "someone-else", 0, SeededJobs.job(SeededJobs.sid(), T0, "Complete", "0.9", "x@example.org", 5, "F", "1m", 20));

        JsonNode all = list(uid, "");
        assertThat(all.get("uid").asText()).isEqualTo(uid);
        assertThat(jobIds(all)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        JsonNode newest = all.get("submissions").get(1);
        assertThat(newest.get("submissionId").asText()).isEqualTo(sids.get(8));
        assertThat(newest.get("submittedAt").asText()).isEqualTo("2024-06-09T12:00:00Z");
        assertThat(newest.get("status").get("code").asText()).isEqualTo("Complete");
        // The score and Metis's words stay out: a final status shows the neutral text.
        assertThat(newest.get("status").get("value").asText()).startsWith("Analysis complete");
        assertThat(newest.get("stage").asText()).isEqualTo("done");
        assertThat(all.get("submissions").get(6).get("stage").asText()).isEqualTo("failed");
        assertThat(all.get("submissions").get(9).get("status").get("value").asText()).isEqualTo("Submission received, being recorded.");
        assertThat(all.toString()).doesNotContain("lister@example.org", "0.87", "0.93", "Pose estimation", "\"age\"", "height", "102cm",
                "Asian", "someone-else");

        assertThat(jobIds(list(uid, "entries=3"))).containsExactly(9, 8, 7);
        assertThat(jobIds(list(uid, "result_type=ASD"))).containsExactly(8, 7);
        // 0.5 is not above the threshold: NO ASD, as the later iGait classed it; the non-number is neither.
        assertThat(jobIds(list(uid, "result_type=NO%20ASD"))).containsExactly(6, 5);
        assertThat(jobIds(list(uid, "result_type=no+asd"))).containsExactly(6, 5);
        assertThat(jobIds(list(uid, "start_timestamp=" + (T0 + 2 * DAY) + "&end_timestamp=" + (T0 + 5 * DAY)))).containsExactly(5, 4, 3, 2);
        assertThat(jobIds(list(uid, "end_timestamp=" + (T0 + DAY)))).containsExactly(1, 0);
        assertThat(jobIds(list(uid, "start_timestamp=" + (T0 + 9 * DAY)))).containsExactly(9);
        assertThat(jobIds(list(uid, "result_type=NO%20ASD&start_timestamp=" + (T0 + 6 * DAY) + "&entries=1"))).containsExactly(6);
        assertThat(jobIds(list(uid, "result_type=ASD&end_timestamp=" + (T0 + 7 * DAY) + "&entries=100"))).containsExactly(7);
        assertThat(jobIds(list(uid, "result_type=ASD&start_timestamp=" + (T0 + 10 * DAY)))).isEmpty();
        assertThat(jobIds(list(uid, "entries=&result_type="))).hasSize(10); // empty fields, as forms send them: no filter
        assertThat(jobIds(list("nobody-yet", ""))).isEmpty();

        for (String[] bad : new String[][] {{"entries=0", "entries"}, {"entries=101", "entries"}, {"entries=ten", "entries"},
                                            {"entries=2&entries=3", "entries"}, {"result_type=maybe", "result_type"},
                                            {"start_timestamp=-5", "start_timestamp"}, {"start_timestamp=1.5", "start_timestamp"},
                                            {"end_timestamp=99999999999999999999", "end_timestamp"},
                                            {"start_timestamp=20&end_timestamp=10", "end_timestamp"}, {"user_id=a/b", "user_id"}}) {
            HttpResponse<String> r = get("/api/v1/submissions?" + bad[0], keys.token(uid));
            assertThat(r.statusCode()).as(bad[0] + ": " + r.body()).isEqualTo(400);
            assertThat(Http.json(r.body()).get("field").asText()).as(bad[0]).isEqualTo(bad[1]);
        }
    }

    @Test
    void anotherUidsJobIsRefused403AndNothingMailedWhileAnAdministratorReadsItsListStatusAndFiles() throws Exception {
        String owner = "owner-b";
        String sid = SeededJobs.put(peers, owner, 0, SeededJobs.job(SeededJobs.sid(), T0, "Complete", "0.7", "owner-b@example.org",
                6, "F", "1m", 20));
        SeededJobs.extensions(peers, owner, 0, "mp4", "mov");
        byte[] front = SeededJobs.object(peers, owner + "/0/front.mp4", 3000);
        String nosy = keys.token("nosy");

        HttpResponse<String> list = get("/api/v1/submissions?user_id=" + owner, nosy);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(403);
        assertThat(Http.json(list.body()).get("field").asText()).isEqualTo("user_id");
        assertThat(get("/api/v1/submissions/" + sid, nosy).statusCode()).isEqualTo(403);
        HttpResponse<String> files = get("/api/v1/submissions/" + sid + "/files", nosy);
        assertThat(files.statusCode()).isEqualTo(403);
        assertThat(files.body()).doesNotContain("X-Amz");
        HttpResponse<String> history = postForm("/api/v1/historical_submissions", nosy, "user_id=" + owner);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(403);
        assertThat(Http.json(history.body()).get("error").asText()).isEqualTo("uid_mismatch");
        // Without a token: 401 on all four, before anything else.
        for (String path : List.of("/api/v1/submissions", "/api/v1/submissions/" + sid, "/api/v1/submissions/" + sid + "/files")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        }
        assertThat(postForm("/api/v1/historical_submissions", null, "user_id=" + owner).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/submissions/" + SeededJobs.sid(), nosy).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/submissions/" + SeededJobs.sid() + "/files", nosy).statusCode()).isEqualTo(404);

        // An administrator, as the job store says, reads the owner's list, status and files.
        SeededJobs.administrator(peers, "the-admin");
        String admin = keys.token("the-admin");
        JsonNode theirs = Http.json(get("/api/v1/submissions?user_id=" + owner, admin).body());
        assertThat(theirs.get("uid").asText()).isEqualTo(owner);
        assertThat(jobIds(theirs)).containsExactly(0);
        HttpResponse<String> status = get("/api/v1/submissions/" + sid, admin);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(Http.json(status.body()).get("uid").asText()).isEqualTo(owner);
        JsonNode links = Http.json(get("/api/v1/submissions/" + sid + "/files", admin).body());
        assertThat(links.get("files").findValuesAsText("kind")).containsExactly("front");
        assertThat(PresignedLinks.fetch(links.get("files").get(0).get("url").asText()).body()).isEqualTo(front);

        Thread.sleep(1000);
        assertThat(peers.mail.messages()).isEmpty();
        assertThat(ticketsIn("stages/h1-history")).isEmpty();
    }

    @Test
    void anUploadsFilesAreLinksToItsBytesAndItsStatusAndListAnswerFromTheStoreOnceItsJobJsonIsGone() throws Exception {
        String uid = "uploader";
        String token = keys.token(uid);
        Path front = Videos.mp4(tmp.resolve("front.mp4"), 120_000);
        Path side = Videos.video(tmp.resolve("side.mov"), "mov", 80_000);
        Multipart form = new Multipart().field("age", "7").field("ethnicity", "Asian").field("sex", "F").field("height", "4'2\"")
                .field("weight", "55").field("email", "parent@example.org")
                .file("fileuploadfront", "front.mp4", front).file("fileuploadside", "side.mov", side);
        HttpResponse<String> upload = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/upload"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", form.contentType()).POST(form.build()).build());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
        String sid = Http.json(upload.body()).get("submissionId").asText();
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));

        JsonNode listed = list(uid, "");
        assertThat(listed.get("submissions").size()).isEqualTo(1);
        assertThat(listed.get("submissions").get(0).get("submissionId").asText()).isEqualTo(sid);
        assertThat(listed.get("submissions").get(0).get("stage").asText()).isEqualTo("done");
        assertThat(listed.get("submissions").get(0).get("status").get("code").asText()).isEqualTo("Processing");

        JsonNode files = Http.json(get("/api/v1/submissions/" + sid + "/files", token).body());
        assertThat(files.get("jobId").asInt()).isZero();
        assertThat(files.get("files").findValuesAsText("name")).containsExactly("front.mp4", "side.mov");
        JsonNode first = files.get("files").get(0);
        assertThat(first.get("kind").asText()).isEqualTo("front");
        assertThat(first.get("bytes").asLong()).isEqualTo(Files.size(front));
        assertThat(first.get("url").asText()).contains("/" + uid + "/0/front.mp4").contains("X-Amz-Expires=900");
        assertThat(first.get("expiresAt").asText()).isNotEmpty();
        assertThat(PresignedLinks.fetch(first.get("url").asText()).body()).isEqualTo(Files.readAllBytes(front));
        assertThat(PresignedLinks.fetch(files.get("files").get(1).get("url").asText()).body()).isEqualTo(Files.readAllBytes(side));
        assertThat(PresignedLinks.fetch(PresignedLinks.tamper(first.get("url").asText())).statusCode()).isEqualTo(403);

        // Metis puts the keyframed videos: they are linked too, after the originals.
        byte[] frontKeyframed = SeededJobs.object(peers, uid + "/0/front_keyframed.mp4", 5000);
        SeededJobs.object(peers, uid + "/0/side_keyframed.mov", 6000);
        files = Http.json(get("/api/v1/submissions/" + sid + "/files", token).body());
        assertThat(files.get("files").findValuesAsText("kind")).containsExactly("front", "side", "front_keyframed", "side_keyframed");
        assertThat(PresignedLinks.fetch(files.get("files").get(2).get("url").asText()).body()).isEqualTo(frontKeyframed);

        // Retention (or another machine): the local records are gone; the job store still answers.
        DurableFiles.deleteTree(service.dataDir().resolve("jobs").resolve(sid));
        Files.delete(service.dataDir().resolve("done").resolve(sid));
        HttpResponse<String> status = get("/api/v1/submissions/" + sid, token);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode s = Http.json(status.body());
        assertThat(s.get("submissionId").asText()).isEqualTo(sid);
        assertThat(s.get("jobId").asInt()).isZero();
        assertThat(s.get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(s.get("submittedAt").asText()).isNotEmpty();
        assertThat(status.body()).doesNotContain("parent@example.org", "Asian", "4'2");
        assertThat(jobIds(list(uid, ""))).containsExactly(0);
        assertThat(Http.json(get("/api/v1/submissions/" + sid + "/files", token).body()).get("files").size()).isEqualTo(4);
        assertThat(get("/api/v1/submissions/" + sid, keys.token("not-the-uploader")).statusCode()).isEqualTo(403);
    }

    @Test
    void theHistoryMailListsTheMatchingJobsWithBothKindsOfLinksAndAPdfReportWhoseTextHasEachJobsData() throws Exception {
        String uid = "historian";
        SeededJobs.put(peers, uid, 0, SeededJobs.job(SeededJobs.sid(), T0, "Complete", "0.87", "historian@example.org",
                5, "M", "4'2\"\n<b>Σ", 40));
        SeededJobs.put(peers, uid, 1, SeededJobs.job(SeededJobs.sid(), T0 + DAY, "Complete", "0.3", "historian@example.org",
                6, "F", "110cm", 41));
        SeededJobs.put(peers, uid, 2, SeededJobs.job(SeededJobs.sid(), T0 + 2 * DAY, "Processing", "x", "later@example.org",
                7, "F", "111cm", 42));
        SeededJobs.extensions(peers, uid, 0, "mp4", "mov");
        byte[] front0 = SeededJobs.object(peers, uid + "/0/front.mp4", 1000);
        byte[] side0 = SeededJobs.object(peers, uid + "/0/side.mov", 1100);
        byte[] frontKeyframed0 = SeededJobs.object(peers, uid + "/0/front_keyframed.mp4", 1200);
        byte[] sideKeyframed0 = SeededJobs.object(peers, uid + "/0/side_keyframed.mov", 1300);
        SeededJobs.extensions(peers, uid, 1, "webm", "webm");
        byte[] front1 = SeededJobs.object(peers, uid + "/1/front.webm", 1400);

        Multipart form = new Multipart().field("user_id", uid).field("entries", "10").field("end_timestamp", Long.toString(T0 + DAY))
                .field("include_original", "true").field("include_skeleton", "true").field("start_timestamp", "");
        HttpResponse<String> accepted = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/historical_submissions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + keys.token(uid))
                .header("Content-Type", form.contentType()).POST(form.build()).build());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(Http.json(accepted.body()).get("status").asText()).isEqualTo("accepted");

        await().atMost(Peers.timeout()).until(() -> peers.mailsTo("historian@example.org").size() == 1);
        MimeMessage mail = peers.mailsTo("historian@example.org").get(0);
        assertThat(mail.getSubject()).isEqualTo(HISTORY_SUBJECT);
        assertThat(peers.mailsTo("later@example.org")).isEmpty();
        String html = mail.getContent().toString();
        assertThat(html).contains("2 submission(s) match").contains("2024-06-01 12:00:00 UTC").contains("2024-06-02 12:00:00 UTC")
                .contains("<td>ASD</td>").contains("<td>NO ASD</td>").contains("0.87").contains("at most 10")
                .doesNotContain("111cm").doesNotContain("later@example.org");

        // Every link fetches what it names: the videos of each job (newest first) that S3 holds, then the report.
        List<String> links = MailLinks.in(html);
        assertThat(links).hasSize(6);
        assertThat(PresignedLinks.fetch(links.get(0)).body()).isEqualTo(front1);
        assertThat(PresignedLinks.fetch(links.get(1)).body()).isEqualTo(front0);
        assertThat(PresignedLinks.fetch(links.get(2)).body()).isEqualTo(side0);
        assertThat(PresignedLinks.fetch(links.get(3)).body()).isEqualTo(frontKeyframed0);
        assertThat(PresignedLinks.fetch(links.get(4)).body()).isEqualTo(sideKeyframed0);
        assertThat(PresignedLinks.fetch(PresignedLinks.tamper(links.get(4))).statusCode()).isEqualTo(403);
        String report = links.get(5);
        assertThat(report).containsPattern("/" + uid + "/history_requests/[0-9]{10}\\.pdf").contains("X-Amz-Expires=604800");
        assertThat(links.get(0)).contains("X-Amz-Expires=604800");
        byte[] pdf = PresignedLinks.fetch(report).body();
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        String text = text(pdf);
        assertThat(text).contains("iGait - Complete Historical Results").contains("User ID: historian").contains("Submissions: 2")
                .contains("Job 0 - submitted 2024-06-01 12:00:00 UTC").contains("Job 1 - submitted 2024-06-02 12:00:00 UTC")
                .contains("Status: Complete").contains("Result: ASD").contains("Result: NO ASD").contains("Score: 0.87")
                .contains("Age: 5").contains("Sex: M").contains("Weight: 40").contains("Age: 6").contains("Height: 110cm")
                // a value is one line, and what the font cannot show is '?'
                .contains("Height: 4'2\" <b>?").doesNotContain("Job 2").doesNotContain("111cm");
        assertThat(reports(uid)).hasSize(1);
        await().atMost(Peers.timeout()).until(() -> ticketsIn("done/h1-history").size() == 1);
        assertThat(ticketsIn("stages/h1-history")).isEmpty();
    }

    @Test
    void aRequestMatchingNothingIsMailedSoABadOneIsRefusedAndTheFourthInAnHourIs429() throws Exception {
        String uid = "unmatched";
        String token = keys.token(uid);
        SeededJobs.put(peers, uid, 0, SeededJobs.job(SeededJobs.sid(), T0, "Processing", "x", "unmatched@example.org", 5, "M", "1m", 20));

        HttpResponse<String> bad = postForm("/api/v1/historical_submissions", token, "result_type=maybe");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(Http.json(bad.body()).get("field").asText()).isEqualTo("result_type");
        assertThat(postForm("/api/v1/historical_submissions", token, "include_original=perhaps").statusCode()).isEqualTo(400);
        HttpResponse<String> json = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/historical_submissions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(Http.json(json.body()).get("error").asText()).isEqualTo("not_a_form");

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = postForm("/api/v1/historical_submissions", token, "result_type=" + enc("ASD") + "&include_original=1");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        HttpResponse<String> fourth = postForm("/api/v1/historical_submissions", token, "result_type=ASD");
        assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(429);
        assertThat(Http.json(fourth.body()).get("error").asText()).isEqualTo("too_many_requests");
        assertThat(fourth.headers().firstValue("Retry-After")).isPresent();

        await().atMost(Peers.timeout()).until(() -> peers.mailsTo("unmatched@example.org").size() == 3);
        Thread.sleep(500);
        assertThat(peers.mailsTo("unmatched@example.org")).hasSize(3);
        String html = peers.mailsTo("unmatched@example.org").get(0).getContent().toString();
        assertThat(html).contains("No submission matches these filters.").contains("<td>ASD</td>").doesNotContain("history_requests");
        assertThat(reports(uid)).isEmpty();
    }

    // ---- helpers ----

    static JsonNode list(String uid, String query) {
        HttpResponse<String> r = get("/api/v1/submissions" + (query.isEmpty() ? "" : "?" + query), keys.token(uid));
        assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(200);
        return Http.json(r.body());
    }

    static List<Integer> jobIds(JsonNode list) {
        List<Integer> ids = new ArrayList<>();
        list.get("submissions").forEach(s -> ids.add(s.get("jobId").asInt()));
        return ids;
    }

    static HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return Http.send(b.build());
    }

    static HttpResponse<String> postForm(String path, String token, String urlencoded) {
        HttpRequest.Builder b = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(urlencoded));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return Http.send(b.build());
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String text(byte[] pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    /** The history reports S3 holds for the uid. */
    static List<String> reports(String uid) {
        try (S3Client s3 = peers.s3.client()) {
            return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(Peers.BUCKET).prefix(uid + "/history_requests/").build())
                    .contents().stream().map(S3Object::key).collect(Collectors.toList());
        }
    }

    static List<String> ticketsIn(String folder) throws Exception {
        Path dir = service.dataDir().resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
