package edu.niu.igait.ops;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * igait.log.format=json, a whole run with the real peers (two signed-in uploads through the four
 * stages, Metis's result for one, a completion call with a wrong key, the stop): every line the process
 * writes is one JSON object with ECS fields; the lines of a job's work carry its sid, uid, jobId and
 * stage as fields, and never another job's; no line holds an email address, a medical value of the
 * uploads, the access key (right or wrong) or a sign-in token.
 */
class JsonLogsTest extends WithPeers {

    static final String KEY = "json-logs-access-key-1b9e4f7a2c";
    static final String WRONG_KEY = "json-logs-wrong-key-77aa31c0d4";
    static final String AGE = "113";
    static final String WEIGHT = "977";
    static final String HEIGHT = "HtValue142cm";
    static final String ETHNICITY = "Ethnicityvalue Unlikely";
    static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    @Test
    void aWholeRunWritesOneJsonObjectPerLineWithTheJobsIdsAndNoPersonalDataOrSecrets() throws Exception {
        try (KeyServer keys = KeyServer.start()) {
            Map<String, String> props = new LinkedHashMap<>(peers.properties());
            props.put("igait.log.format", "json");
            props.put("igait.replica.name", "igait-1");
            props.put("igait.auth.mode", "firebase");
            props.put("igait.auth.project-id", KeyServer.PROJECT);
            props.put("igait.auth.keys-url", keys.url());
            Map<String, String> env = new LinkedHashMap<>(peers.environment());
            env.put("IGAIT_ACCESS_KEY", KEY);
            List<String> tokens = new ArrayList<>();
            Map<String, String> sids = new LinkedHashMap<>();
            ServiceProcess service = ServiceProcess.start(props, env).awaitHealthy();
            try {
                Path video = Videos.mp4(tmp.resolve("v.mp4"), 60_000);
                for (String uid : new String[] {"json-parent-a", "json-parent-b"}) {
                    String token = keys.token(uid);
                    tokens.add(token);
                    Multipart form = new Multipart().field("age", AGE).field("ethnicity", ETHNICITY).field("sex", "F")
                            .field("height", HEIGHT).field("weight", WEIGHT).field("email", uid + "@example.org")
                            .file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video);
                    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(service.uri("/api/v1/upload"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", form.contentType())
                            .POST(form.build()).build());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    sids.put(uid, Http.json(r.body()).get("submissionId").asText());
                }
                for (String sid : sids.values()) {
                    await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
                }
                HttpResponse<String> wrong = completion(service.uri("/api/v1/completion"), WRONG_KEY);
                assertThat(wrong.statusCode()).isEqualTo(401);
                HttpResponse<String> right = completion(service.uri("/api/v1/completion"), KEY);
                assertThat(right.statusCode()).as(right.body()).isEqualTo(202);
                await().atMost(Peers.timeout()).until(() -> "Complete".equals(
                        peers.user("json-parent-a").path("jobs").path(0).path("status").path("code").asText()));
            } finally {
                service.terminate();
                service.awaitExit(Duration.ofSeconds(90));
                service.close();
            }

            List<JsonNode> lines = new ArrayList<>();
            for (String line : service.logText().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode json;
                try {
                    json = Http.json(line);
                } catch (RuntimeException e) {
                    throw new AssertionError("a line that is not JSON: " + line, e);
                }
                assertThat(json.isObject()).as(line).isTrue();
                // Paths and URLs as they are, never with a slash escaped (\/).
                assertThat(line).as("an escaped slash in: " + line).doesNotContain("\\/");
                assertThat(json.path("@timestamp").asText()).as(line).isNotEmpty();
                assertThat(json.path("log.level").asText()).as(line).isNotEmpty();
                assertThat(json.has("message")).as(line).isTrue();
                assertThat(json.path("ecs.version").asText()).as(line).isNotEmpty();
                assertThat(json.path("service.node.name").asText()).as("the replica named in: " + line).isEqualTo("igait-1");
                lines.add(json);

                String text = withoutTimestamp(json);
                assertThat(EMAIL.matcher(text).find()).as("an email address in: " + line).isFalse();
                for (String value : new String[] {HEIGHT, ETHNICITY, "Ethnicityvalue"}) {
                    assertThat(text).as("a medical value in: " + line).doesNotContain(value);
                }
                for (String number : new String[] {AGE, WEIGHT}) {
                    // A number followed by a unit is a duration or a size the service logs ("113 ms"), not the form's.
                    assertThat(Pattern.compile("(?<![0-9.])" + number + "(?![0-9]|\\s?(ms|s|MB|KB|bytes)\\b)").matcher(text).find())
                            .as("the medical value " + number + " in: " + line).isFalse();
                }
                for (String secret : new String[] {KEY, WRONG_KEY}) {
                    assertThat(text).as("an access key in: " + line).doesNotContain(secret);
                }
                for (String token : tokens) {
                    for (String part : token.split("\\.")) {
                        assertThat(text).as("a token in: " + line).doesNotContain(part);
                    }
                }
            }
            assertThat(lines).hasSizeGreaterThan(20);

            // The job's work is on lines of its own ids, as fields; a line never carries another job's.
            for (Map.Entry<String, String> job : sids.entrySet()) {
                String uid = job.getKey();
                String sid = job.getValue();
                for (String stage : new String[] {"1-record", "2-store", "3-submit", "4-notify"}) {
                    assertThat(lines).as("a line of " + stage + " for " + uid).anySatisfy(l -> {
                        assertThat(l.path("sid").asText()).isEqualTo(sid);
                        assertThat(l.path("uid").asText()).isEqualTo(uid);
                        assertThat(l.path("jobId").asText()).isEqualTo("0");
                        assertThat(l.path("stage").asText()).isEqualTo(stage);
                    });
                }
                assertThat(lines).as("the intake's line for " + uid).anySatisfy(l -> {
                    assertThat(l.path("sid").asText()).isEqualTo(sid);
                    assertThat(l.path("message").asText()).contains("accepted");
                });
            }
            assertThat(lines).as("the completion's line, with the ids of the job it is about").anySatisfy(l -> {
                assertThat(l.path("message").asText()).contains("completion OK from Metis accepted");
                assertThat(l.path("uid").asText()).isEqualTo("json-parent-a");
                assertThat(l.path("jobId").asText()).isEqualTo("0");
            });
            assertThat(lines).as("stage 5's line").anySatisfy(l -> {
                assertThat(l.path("stage").asText()).isEqualTo("5-complete");
                assertThat(l.path("uid").asText()).isEqualTo("json-parent-a");
            });
            for (JsonNode l : lines) {
                String message = l.path("message").asText();
                String uid = l.path("uid").asText(null);
                String sid = l.path("sid").asText(null);
                for (Map.Entry<String, String> job : sids.entrySet()) {
                    if (sid != null && !sid.equals(job.getValue())) {
                        assertThat(message).as("a line with sid " + sid + " about another job").doesNotContain(job.getValue())
                                .doesNotContain("uid " + job.getKey());
                    }
                    if (uid != null && !uid.equals(job.getKey())) {
                        assertThat(message).as("a line with uid " + uid + " about another job").doesNotContain("uid " + job.getKey());
                    }
                }
            }
        }
    }

    private static HttpResponse<String> completion(URI uri, String key) {
        return Http.post(uri, new Multipart().field("user_id", "json-parent-a").field("job_id", "0").field("status_code", "OK")
                .field("status_content", "0.87").field("igait_access_key", key));
    }

    private static String withoutTimestamp(JsonNode line) {
        ObjectNode copy = line.deepCopy();
        copy.remove("@timestamp");
        return copy.toString();
    }
}
