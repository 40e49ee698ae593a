package edu.niu.igait.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stage is declared once, in YAML: inserting one is a new file in routes/stages/ and a change to the
 * hand-off of the stage before it, nothing else (no Java, no other file).
 */
class InsertedStageTest extends WithPeers {

    static final String AUDIT = """
            # An audit between storing and submitting: it only logs that the job passed.
            - templatedRoute:
                routeTemplateRef: stage
                routeId: 2b-audit
                parameters:
                  - name: stage
                    value: 2b-audit
                  - name: next
                    value: 3-submit
            - route:
                id: 2b-audit-steps
                from:
                  uri: direct:2b-audit
                  steps:
                    - log:
                        message: "audit: ${exchangeProperty.ticket} is stored and goes on to Metis"
                        logName: igait.audit
            """;

    @Test
    void aYamlOnlyStageBetweenStoreAndSubmitIsPassedByEveryJobWithItsHistoryIntact() throws Exception {
        Path routes = tmp.resolve("routes");
        RouteCopies.copyTree(Path.of("routes"), routes);
        Files.writeString(routes.resolve("stages/2b-audit.yaml"), AUDIT);
        Path store = routes.resolve("stages/2-store.yaml");
        String storeYaml = Files.readString(store);
        assertThat(storeYaml).contains("value: 3-submit");
        Files.writeString(store, storeYaml.replace("value: 3-submit", "value: 2b-audit"));

        Map<String, String> p = new java.util.LinkedHashMap<>(peers.properties());
        p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml,file:" + routes + "/stages/*.yaml");
        p.put("igait.mail.templates-dir", routes.resolve("mail").toString());
        try (TestService service = TestService.start(p)) {
            NotifyBuilder audited = new NotifyBuilder(service.context()).fromRoute("2b-audit").whenCompleted(2).create();
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 50_000);
            String sid1 = Uploads.post(service.uri("/api/v1/upload"), "audited", "p@example.org", "x", video, video);
            String sid2 = Uploads.post(service.uri("/api/v1/upload"), "audited", "p@example.org", "x", video, video);
            for (String sid : List.of(sid1, sid2)) {
                await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
            }
            assertThat(audited.matches(10, TimeUnit.SECONDS)).as("both jobs passed 2b-audit").isTrue();
            assertThat(service.dataDir().resolve("stages/2b-audit")).isEmptyDirectory();

            JsonNode status = Http.json(Http.get(service.uri("/api/v1/submissions/" + sid1)).body());
            assertThat(status.get("stage").asText()).isEqualTo("done");
            assertThat(status.get("history").findValuesAsText("code"))
                    .containsExactly("Submitting", "Queue", "Processing");
            assertThat(status.get("history").findValuesAsText("stage"))
                    .containsExactly("1-record", "2-store", "3-submit");
            assertThat(peers.metis.submissions()).hasSize(2);
            assertThat(peers.user("audited").get("jobs").get(1).get("status").get("code").asText()).isEqualTo("Processing");
        }
    }
}
