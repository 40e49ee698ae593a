package edu.niu.igait.dev;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import edu.niu.igait.app.IgaitConfiguration;
import edu.niu.igait.app.IgaitMain;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The dev run as a person starts it: {@link DevRun} (the dev profile) in a JVM of its own on the test
 * class path, where the stand-ins are, in a working directory holding {@code routes/} and the
 * properties files, every peer started by the service. The ports are free ones instead of the
 * defaults, and the Metis simulator answers after 1 s.
 */
class DevRunTest {

    static final String BUCKET = "igait-storage";
    static final Duration FLOW = Duration.ofSeconds(30);
    static final Duration START = Duration.ofSeconds(120);

    /** The working directory: a copy of routes/ and the properties files; data/ below it. */
    @TempDir
    Path work;

    final List<ServiceProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(ServiceProcess::close);
    }

    @Test
    void oneUploadCompletesWithOneSubmissionTwoMailsTheS3ObjectsAndTheTree() throws Exception {
        Map<String, String> props = devProperties("1s");
        // The routes given with -D (the other test takes them from application.properties): the dev views join them.
        props.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml");
        ServiceProcess service = start(props);
        assertThat(service.logText()).contains("iGait dev run").contains("igait-dev-access-key")
                .contains("local-access-key").contains("local-secret-key").contains("/dev/mail").contains("/dev/metis")
                .contains("/dev/db/users/").contains("/dev/token?uid=");
        // Its own signing key, made on this first run, readable by its owner only; tokens for valid uids only.
        Path signingKey = service.dataDir().resolve("dev").resolve("auth").resolve("signing-key.jwk");
        assertThat(signingKey).exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(signingKey))).isEqualTo("rw-------");
        assertThat(service.logText()).doesNotContain(Files.readString(signingKey).substring(0, 40));
        assertThat(Http.get(service.uri("/dev/token?uid=../etc")).statusCode()).isEqualTo(400);
        assertThat(Http.get(service.uri("/dev/token")).statusCode()).isEqualTo(400);

        Path front = Videos.mp4(work.resolve("front.mp4"), 300_000);
        Path side = Videos.video(work.resolve("side.MOV"), "mov", 200_000);
        String uid = "dev-parent_1";
        long t0 = System.nanoTime();
        String sid = upload(service, uid, front, side);

        // Our side: one qsub, the keyframes in S3, the completion posted and answered by the service.
        JsonNode submission = awaitSimulatorPosted(service);
        assertOneOfEach(service, props, uid, sid, submission, front, side);

        // With the completion endpoint: Complete within 30 s of the upload, the result mail, working links.
        await().atMost(FLOW.minusNanos(System.nanoTime() - t0)).pollInterval(Duration.ofMillis(200))
                .until(() -> statusCode(service, uid, sid).equals("Complete"));
        assertCompleted(service, uid, front, side);
    }

    @Test
    void killedWithSigkillMidwayAndStartedAgainItStillCompletesWithOneOfEach() throws Exception {
        // Long enough a job for the kill to land while the simulator holds it.
        Map<String, String> props = devProperties("4s");
        ServiceProcess first = start(props);
        Path front = Videos.mp4(work.resolve("front.mp4"), 300_000);
        Path side = Videos.mp4(work.resolve("side.mp4"), 200_000);
        String uid = "killed";
        String sid = upload(first, uid, front, side);

        // After the welcome mail went out and the ticket is done, while the simulated job runs.
        await().atMost(FLOW).pollInterval(Duration.ofMillis(100)).until(() -> stage(first, uid, sid).equals("done"));
        assertThat(array(first, "/dev/metis")).hasSize(1);
        assertThat(statusCode(first, uid, sid)).isEqualTo("Processing");
        first.kill();

        // S3Proxy, a child JVM, died with it: its port is free for the restart.
        int s3Port = Integer.parseInt(props.get("igait.dev.s3-port"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !Ports.accepting(s3Port));

        ServiceProcess second = start(props);
        JsonNode submission = awaitSimulatorPosted(second);
        assertOneOfEach(second, props, uid, sid, submission, front, side);

        await().atMost(FLOW).pollInterval(Duration.ofMillis(200)).until(() -> statusCode(second, uid, sid).equals("Complete"));
        assertCompleted(second, uid, front, side);
    }

    @Test
    void whenTheProcessThatStartedItEndsTheDevRunStopsWithItsStandIns() {
        // Started as exec:exec@dev starts it, by a process that waits for it; that process killed (Maven
        // stopped, or killed) leaves the dev run an orphan, which stops: the service, S3Proxy, the others.
        Map<String, String> props = devProperties("1s");
        ServiceProcess shell = ServiceProcess.startUnderAShell(work, props, Map.of(), DevRun.class.getName());
        processes.add(shell);
        shell.awaitHealthy(START);
        List<Integer> ports = List.of(shell.port(), Integer.parseInt(props.get("igait.dev.s3-port")),
                Integer.parseInt(props.get("igait.dev.smtp-port")), Integer.parseInt(props.get("igait.dev.ssh-port")));
        assertThat(ports).allMatch(Ports::accepting);
        shell.kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> ports.stream().noneMatch(Ports::accepting));
        await().atMost(Duration.ofSeconds(10)).until(() -> shell.logText().contains("(igait-backend) shutdown in"));
        assertThat(shell.logText()).contains("iGait dev run: the process that started it (pid ").contains(") is gone: stopping");
    }

    @Test
    void aTakenPortRefusesTheStartInOneLineBeforeAnyStandInStarts() throws IOException {
        Map<String, String> props = devProperties("1s");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(Ports.LOOPBACK))) {
            props.put("camel.management.port", Integer.toString(taken.getLocalPort()));
            ServiceProcess service = ServiceProcess.start(work, props, Map.of(), DevRun.class.getName());
            processes.add(service);
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(service.logText().lines().filter(l -> l.startsWith("iGait dev run failed to start: ")))
                    .containsExactly("iGait dev run failed to start: camel.management.port " + taken.getLocalPort() + " on 127.0.0.1 is"
                            + " taken (another dev run?): stop what uses it or choose another port with -Dcamel.management.port=... in"
                            + " -Ddev.args");
            // Nothing started, so nothing to stop: no stand-in, and no shutdown that nobody asked for.
            assertThat(work.resolve("data/dev/s3")).doesNotExist();
            assertThat(service.logText()).doesNotContain("dev peers up").doesNotContain("shutdown hook triggered");
        }
    }

    @Test
    void devCombinedWithProdRefusesToStart() {
        Map<String, String> props = devProperties("1s");
        props.put("camel.main.profile", "dev,prod");
        ServiceProcess service = ServiceProcess.start(work, props, Map.of(), DevRun.class.getName());
        processes.add(service);
        assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(service.logText()).contains("camel.main.profile=dev,prod").contains("never runs with prod");
        assertThat(Files.exists(work.resolve("data").resolve("dev"))).isFalse();
    }

    @Test
    void devRefusesAnyHostButLoopback() {
        Map<String, String> props = devProperties("1s");
        props.put("camel.server.host", "0.0.0.0");
        ServiceProcess service = ServiceProcess.start(work, props, Map.of(), DevRun.class.getName());
        processes.add(service);
        assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(service.logText()).contains("127.0.0.1 only").contains("camel.server.host is '0.0.0.0'");
        assertThat(Files.exists(work.resolve("data").resolve("dev"))).isFalse();
    }

    @Test
    void theProductionMainRefusesTheDevProfileWithOneLineSayingHowToStartTheDevRun() {
        Map<String, String> props = devProperties("1s");
        ServiceProcess service = ServiceProcess.start(work, props, Map.of(), ServiceProcess.APP);
        processes.add(service);
        assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(service.logText().strip().lines()).singleElement().asString()
                .contains("camel.main.profile=dev").contains("not part of the product").contains(IgaitMain.DEV_RUN);
        assertThat(Files.exists(work.resolve("data"))).isFalse();
    }

    @Test
    void theDevPeersLoadInTheDevRunOnlyAndFirst() {
        Properties dev = new Properties();
        assertThat(DevRun.create(dev).configure().getConfigurationClasses())
                .isEqualTo(DevPeers.class.getName() + "," + IgaitConfiguration.class.getName());
        dev.setProperty(IgaitMain.PROFILE, "dev,test");
        assertThat(DevRun.create(dev).configure().getConfigurationClasses()).startsWith(DevPeers.class.getName() + ",");
        for (String profile : new String[] {"prod", "test", ""}) {
            assertThat(configurationClasses(profile)).as(profile).isEqualTo(IgaitConfiguration.class.getName());
        }
        // The service's own Main refuses the dev profile; the dev run refuses any profile without dev.
        assertThatThrownBy(() -> configurationClasses("dev")).isInstanceOf(StartupException.class).hasMessageContaining(IgaitMain.DEV_RUN);
        Properties test = new Properties();
        test.setProperty(IgaitMain.PROFILE, "test");
        assertThatThrownBy(() -> DevRun.create(test)).isInstanceOf(StartupException.class).hasMessageContaining("include dev");
    }

    @Test
    void theDevViewsComeFromTheStandInsClassPathAddedToTheServiceRoutes() throws IOException {
        // Not in routes/ (which the image carries) nor in a properties file: the dev run adds them to the pattern in force.
        assertThat(Path.of("routes", "dev")).doesNotExist();
        assertThat(DevRun.class.getResource("/dev-routes/dev.yaml")).isNotNull();
        String base = load("/application.properties").getProperty("camel.main.routes-include-pattern");
        assertThat(base).doesNotContain("dev");
        assertThat(load("/application-dev.properties").getProperty("camel.main.routes-include-pattern")).isNull();
        assertThat(DevRun.withDevRoutes(base)).isEqualTo(base + "," + DevRun.DEV_ROUTES);
        assertThat(DevRun.withDevRoutes(DevRun.withDevRoutes(base))).isEqualTo(base + "," + DevRun.DEV_ROUTES);
    }

    // ---- helpers ----

    /** The configuration classes Camel Main gets for this profile ("" = none given). */
    private static String configurationClasses(String profile) {
        Properties overrides = new Properties();
        if (!profile.isEmpty()) {
            overrides.setProperty(IgaitMain.PROFILE, profile);
        }
        Main main = IgaitMain.create(overrides);
        return main.configure().getConfigurationClasses();
    }

    /** A properties file of the class path: the service's defaults, or the dev profile's (src/dev/resources). */
    private static Properties load(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = DevRun.class.getResourceAsStream(resource)) {
            p.load(in);
        }
        return p;
    }

    /** The dev profile with free ports, in {@link #work} (routes linked, properties files copied). */
    private Map<String, String> devProperties(String metisDelay) {
        try {
            if (!Files.exists(work.resolve("routes"))) {
                // A copy: Camel's file:routes/*.yaml does not list a folder reached through a symbolic link.
                copyTree(Path.of("routes"), work.resolve("routes"));
                Files.copy(Path.of("application.properties"), work.resolve("application.properties"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> p = new LinkedHashMap<>();
        // The dev run's own profile; said here as well, so that the production main is refused it too.
        p.put("camel.main.profile", "dev");
        // ServiceProcess would otherwise run the intake alone; the routes come from application-dev.properties.
        p.put("igait.pipeline.enabled", "true");
        p.put("igait.data-dir", work.resolve("data").toString());
        p.put("camel.server.port", Integer.toString(Ports.freePort()));
        p.put("igait.dev.s3-port", Integer.toString(Ports.freePort()));
        p.put("igait.dev.smtp-port", Integer.toString(Ports.freePort()));
        p.put("igait.dev.ssh-port", Integer.toString(Ports.freePort()));
        p.put("igait.dev.metis-delay", metisDelay);
        return p;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private ServiceProcess start(Map<String, String> props) {
        ServiceProcess service = ServiceProcess.start(work, props, Map.of(), DevRun.class.getName());
        processes.add(service);
        service.awaitHealthy(START);
        // The banner follows the start-up summaries.
        await().atMost(Duration.ofSeconds(10)).until(() -> service.logText().contains("iGait dev run"));
        return service;
    }

    private static String upload(ServiceProcess service, String uid, Path front, Path side) {
        Multipart body = new Multipart()
                .field("uid", uid)
                .field("age", "7")
                .field("ethnicity", "Asian")
                .field("sex", "F")
                .field("height", "4'2\"")
                .field("weight", "55")
                .field("email", "parent@example.org")
                .file("fileuploadfront", front.getFileName().toString(), front)
                .file("fileuploadside", side.getFileName().toString(), side);
        // Signed in as in production: the dev run hands out tokens of its own key, and wants one.
        HttpResponse<String> refused = Http.post(service.uri("/api/v1/upload"), body);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/upload")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", body.contentType())
                .header("Authorization", "Bearer " + token(service, uid))
                .POST(body.build())
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(Http.json(response.body()).get("uid").asText()).isEqualTo(uid);
        return Http.json(response.body()).get("submissionId").asText();
    }

    /** {@code GET /dev/token?uid=<uid>}, as the README's walkthrough asks for one. */
    private static String token(ServiceProcess service, String uid) {
        HttpResponse<String> r = Http.get(service.uri("/dev/token?uid=" + uid));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = Http.json(r.body());
        assertThat(body.get("uid").asText()).isEqualTo(uid);
        return body.get("token").asText();
    }

    /** The status of a submission, read with its owner's token. */
    private static JsonNode status(ServiceProcess service, String uid, String sid) {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/submissions/" + sid)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token(service, uid)).GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r.body());
    }

    /** Waits until the simulator has posted the completion and got an HTTP answer; returns its record. */
    private static JsonNode awaitSimulatorPosted(ServiceProcess service) {
        Predicate<JsonNode> posted = s -> s.path("lastHttpStatus").isInt() || "completed".equals(s.path("state").asText());
        await().atMost(FLOW).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode list = array(service, "/dev/metis");
            return list.size() > 0 && posted.test(list.get(0));
        });
        return array(service, "/dev/metis").get(0);
    }

    private void assertOneOfEach(ServiceProcess service, Map<String, String> props, String uid, String sid,
                                        JsonNode submission, Path front, Path side) throws IOException {
        String frontExt = ext(front);
        String sideExt = ext(side);
        // One submission on the simulator, for this uid and job 0, posted to the service.
        JsonNode metis = array(service, "/dev/metis");
        assertThat(metis).hasSize(1);
        assertThat(submission.get("uid").asText()).isEqualTo(uid);
        assertThat(submission.get("jobId").asText()).isEqualTo("0");
        assertThat(submission.get("command").asText()).startsWith("qsub -N igait-" + uid + "-0 -v USER_ID=" + uid + ",JOB_ID=0 ");
        assertThat(submission.get("statusCode").asText()).isEqualTo("OK");
        assertThat(Double.parseDouble(submission.get("statusContent").asText())).isBetween(0.0, 1.0);
        assertThat(submission.get("attempts").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(submission.get("lastHttpStatus").asInt()).as("the simulator's POST reached the service").isBetween(200, 599);

        // S3: the upload and the keyframes the simulator put, byte for byte.
        try (S3Client s3 = s3(props)) {
            List<String> keys = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(uid + "/0/")).contents().stream()
                    .map(S3Object::key).sorted().toList();
            assertThat(keys).containsExactlyInAnyOrder(uid + "/0/extensions.json", uid + "/0/front." + frontExt,
                    uid + "/0/side." + sideExt, uid + "/0/front_keyframed." + frontExt, uid + "/0/side_keyframed." + sideExt);
            Path got = work.resolve("got-front");
            Files.write(got, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(uid + "/0/front_keyframed." + frontExt)).asByteArray());
            assertThat(Videos.sha256(got)).isEqualTo(Videos.sha256(front));
        }
        assertThat(submission.get("keyframed")).hasSize(2);

        // Mail: the welcome mail once, listed with its raw message.
        JsonNode mails = array(service, "/dev/mail");
        List<JsonNode> welcome = new ArrayList<>();
        mails.forEach(m -> {
            if (m.get("subject").asText().equals("Welcome to iGait!")) {
                welcome.add(m);
            }
        });
        assertThat(welcome).hasSize(1);
        assertThat(welcome.get(0).get("to").get(0).asText()).isEqualTo("parent@example.org");
        HttpResponse<String> raw = Http.get(service.uri(welcome.get(0).get("link").asText()));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).contains("Subject: Welcome to iGait!");
        // Every mail listed is a saved .eml (read together: a result mail may arrive meanwhile).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            int listed = array(service, "/dev/mail").size();
            try (var files = Files.list(service.dataDir().resolve("dev").resolve("mail"))) {
                assertThat(files.filter(p -> p.toString().endsWith(".eml")).count()).isEqualTo(listed);
            }
        });

        // The job store's tree, as the app reads it.
        HttpResponse<String> tree = Http.get(service.uri("/dev/db/users/" + uid));
        assertThat(tree.statusCode()).as(tree.body()).isEqualTo(200);
        JsonNode user = Http.json(tree.body());
        assertThat(user.get("uid").asText()).isEqualTo(uid);
        assertThat(user.get("jobs")).hasSize(1);
        assertThat(user.get("jobs").get(0).get("submission_id").asText()).isEqualTo(sid);
        assertThat(user.get("jobs").get(0).get("pbs_id").asText()).isEqualTo(submission.get("pbsId").asText());
        assertThat(user.get("jobs").get(0).get("age").asInt()).isEqualTo(7);
        assertThat(Http.get(service.uri("/dev/db/users/nobody")).statusCode()).isEqualTo(404);
    }

    private void assertCompleted(ServiceProcess service, String uid, Path front, Path side) throws IOException, InterruptedException {
        JsonNode job = Http.json(Http.get(service.uri("/dev/db/users/" + uid)).body()).get("jobs").get(0);
        assertThat(job.get("status").get("code").asText()).isEqualTo("Complete");
        JsonNode submission = array(service, "/dev/metis").get(0);
        assertThat(job.get("status").get("value").asText()).contains(submission.get("statusContent").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(array(service, "/dev/metis").get(0).path("state").asText()));

        // Two mails: the welcome and the result, with links to the keyframed videos that work.
        await().atMost(Duration.ofSeconds(10)).until(() -> array(service, "/dev/mail").size() >= 2);
        Thread.sleep(500);
        JsonNode mails = array(service, "/dev/mail");
        assertThat(mails).hasSize(2);
        JsonNode result = mails.get(1);
        assertThat(result.get("subject").asText()).isEqualTo("Your recent submission to iGait App has completed!");
        String frontLink = null;
        for (JsonNode link : result.get("links")) {
            if (link.asText().contains("front_keyframed")) {
                frontLink = link.asText();
            }
        }
        assertThat(frontLink).as("a presigned link to front_keyframed in " + result).isNotNull();
        HttpResponse<byte[]> video = Http.client().send(HttpRequest.newBuilder(URI.create(frontLink)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(video.statusCode()).isEqualTo(200);
        Path got = work.resolve("got-link");
        Files.write(got, video.body());
        assertThat(Videos.sha256(got)).isEqualTo(Videos.sha256(front));
        assertThat(array(service, "/dev/metis")).hasSize(1);
    }

    private static S3Client s3(Map<String, String> props) {
        return S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + props.get("igait.dev.s3-port")))
                .forcePathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentialsProvider(S3ProxyServer.credentials())
                .build();
    }

    private static JsonNode array(ServiceProcess service, String path) {
        HttpResponse<String> r = Http.get(service.uri(path));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        JsonNode json = Http.json(r.body());
        assertThat(json.isArray()).as(path).isTrue();
        return json;
    }

    private static String statusCode(ServiceProcess service, String uid, String sid) {
        return status(service, uid, sid).get("status").get("code").asText();
    }

    private static String stage(ServiceProcess service, String uid, String sid) {
        return status(service, uid, sid).get("stage").asText();
    }

    private static String ext(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
