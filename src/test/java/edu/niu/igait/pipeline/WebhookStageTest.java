package edu.niu.igait.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;
import org.apache.camel.component.http.HttpComponent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's example of a stage added in YAML alone, run as an integrator would: the block of
 * "Adding a stage" written to routes/stages/3b-webhook.yaml, 3-submit handing on to it, the lab's
 * address in igait.custom.webhook-url, and the lab a real HTTP server on 127.0.0.1. It posts each job's
 * uid, job id and status after Metis took it; waits while the lab is down and posts once it is back;
 * with onGiveUp: note, gives up keeping the job's status (Processing), noting it and telling the
 * operator; moved back, the ticket is posted again and the job goes on.
 */
public class WebhookStageTest extends WithPeers {

    /** The lab's system: records each POST, answers {@link #status}. */
    static final class Lab implements AutoCloseable {
        final List<String> posts = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        volatile int status = 204;
        private HttpServer server;
        private int port;

        Lab start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
            port = server.getAddress().getPort();
            server.createContext("/igait", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    if ("POST".equals(exchange.getRequestMethod())) {
                        posts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                    }
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return this;
        }

        /** Down: its port refuses connections (and is taken again by {@link #start()}). */
        void stop() {
            server.stop(0);
        }

        String url() {
            return "http://127.0.0.1:" + port + "/igait";
        }

        /** The posts about this uid, as JSON. */
        List<JsonNode> postsOf(String uid) {
            return posts.stream().map(Http::json).filter(p -> uid.equals(p.path("uid").asText())).toList();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** The first YAML block of the README's "Adding a stage". */
    public static String readmeWebhookStage() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("### Adding a stage"));
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("a yaml block in the README's Adding a stage").isTrue();
        return block.group(1);
    }

    @Test
    void theReadmesWebhookStagePostsEachJobWaitsForTheLabAndGivesUpKeepingTheStatus() throws Exception {
        Path routes = tmp.resolve("routes");
        RouteCopies.copyTree(Path.of("routes"), routes);
        Files.writeString(routes.resolve("stages/3b-webhook.yaml"), readmeWebhookStage());
        Path submit = routes.resolve("stages/3-submit.yaml");
        String submitYaml = Files.readString(submit);
        assertThat(submitYaml).contains("value: 4-notify");
        Files.writeString(submit, submitYaml.replace("value: 4-notify", "value: 3b-webhook"));

        try (Lab lab = new Lab().start()) {
            Map<String, String> p = new java.util.LinkedHashMap<>(peers.properties());
            p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml,file:" + routes + "/stages/*.yaml");
            p.put("igait.mail.templates-dir", routes.resolve("mail").toString());
            p.put("igait.custom.webhook-url", lab.url());
            // Long enough for the lab to come back within it, short enough to give up in a test.
            p.put("igait.retry.give-up-after", "6s");
            try (TestService service = TestService.start(p)) {
                // camel-http's components are made when a route first uses one (https: never here), with the deadlines.
                assertThat(service.context().hasComponent("https")).isNull();
                Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
                JobRepository jobs = new JobRepository(service.dataDir());

                // The lab up: each job is posted once, after Metis took it, then goes on.
                String posted = Uploads.post(service.uri("/api/v1/upload"), "hooked", "p@example.org", "x", video, video);
                awaitDone(service, posted);
                assertThat(lab.postsOf("hooked")).singleElement().satisfies(post -> {
                    assertThat(post.get("jobId").asInt()).isEqualTo(0);
                    assertThat(post.get("status").asText()).isEqualTo("Processing");
                    assertThat(post.properties()).hasSize(3);
                });
                assertThat(lab.contentTypes).contains("application/json");
                HttpComponent http = service.context().getComponent("http", HttpComponent.class);
                assertThat(List.of(http.getConnectTimeout(), http.getConnectionRequestTimeout(), http.getResponseTimeout(),
                        http.getSoTimeout())).containsExactly(10_000L, 10_000L, 30_000L, 30_000L);
                assertThat(history(jobs, posted)).containsExactly(StatusCode.Submitting, StatusCode.Queue, StatusCode.Processing);
                assertThat(peers.mailsTo("p@example.org")).hasSize(1);

                // The lab down: the job waits in the webhook's stage, its status as Metis has it, the wait noted.
                lab.stop();
                String waits = Uploads.post(service.uri("/api/v1/upload"), "waits", "w@example.org", "x", video, video);
                Path waiting = service.dataDir().resolve("stages/3b-webhook").resolve(waits);
                await().atMost(Peers.timeout()).until(() -> Files.exists(waiting) && jobs.get(waits).history.stream()
                        .anyMatch(h -> "webhook unavailable, retrying".equals(h.note)));
                Job held = jobs.get(waits);
                assertThat(held.status.code).isEqualTo(StatusCode.Processing);
                assertThat(held.status.value).startsWith("Submitted to Metis as PBS job ");
                assertThat(peers.mailsTo("w@example.org")).isEmpty();
                lab.start();
                awaitDone(service, waits);
                assertThat(lab.postsOf("waits")).hasSize(1);
                assertThat(peers.mailsTo("w@example.org")).hasSize(1);

                // The lab refusing until the stage gives up: the status stays, the history and the operator say so.
                lab.status = 503;
                String refused = Uploads.post(service.uri("/api/v1/upload"), "refused", "r@example.org", "x", video, video);
                Path failed = service.dataDir().resolve("failed/3b-webhook").resolve(refused);
                await().atMost(Peers.timeout()).until(() -> Files.exists(failed));
                Job kept = jobs.get(refused);
                assertThat(kept.status.code).isEqualTo(StatusCode.Processing);
                assertThat(peers.user("refused").get("jobs").get(0).get("status").get("code").asText()).isEqualTo("Processing");
                assertThat(kept.history.get(kept.history.size() - 1).note)
                        .isEqualTo("3b-webhook did not complete: webhook unavailable; the team has been told.");
                await().atMost(Peers.timeout()).until(() -> peers.mailsTo(Peers.OPERATOR).stream().anyMatch(m -> text(m).contains(refused)));
                assertThat(peers.mailsTo(Peers.OPERATOR).stream().map(WebhookStageTest::text).filter(t -> t.contains(refused)).findFirst())
                        .hasValueSatisfying(t -> assertThat(t).contains("to retry, move " + failed + " back to "
                                + service.dataDir().resolve("stages/3b-webhook") + "/"));
                assertThat(lab.postsOf("refused").size()).isGreaterThan(1);

                // Moved back once the lab takes posts again: posted, and the job goes on with its status.
                lab.status = 204;
                int before = lab.postsOf("refused").size();
                Files.move(failed, service.dataDir().resolve("stages/3b-webhook").resolve(refused));
                awaitDone(service, refused);
                assertThat(lab.postsOf("refused")).hasSize(before + 1);
                assertThat(jobs.get(refused).status.code).isEqualTo(StatusCode.Processing);
                assertThat(peers.mailsTo("r@example.org")).hasSize(1);
            }
        }
    }

    private static void awaitDone(TestService service, String sid) {
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
    }

    private static List<StatusCode> history(JobRepository jobs, String sid) {
        return jobs.get(sid).history.stream().map(h -> h.code).filter(c -> c != null).toList();
    }

    private static String text(jakarta.mail.internet.MimeMessage message) {
        try {
            return message.getContent().toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
