package edu.niu.igait.ops;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service's metrics after a known sequence are exactly what happened: 3 uploads accepted and 1
 * refused; a Metis outage of 2 failed qsubs, so 2 retries; 1 job failed for good (Metis refused the
 * login); 1 completion. No label carries a uid, an email address or a submission id. And the Grafana
 * dashboard (docs/grafana/igait.json) asks only for metrics the service exposes.
 */
class MetricsTest extends WithPeers {

    static final String KEY = "metrics-test-access-key-5d2c9e";
    static final int VIDEO = 40_000;
    /** Every stage of the routes: the screening's, the history's and the research contributions'. */
    static final String[] STAGES = {"1-record", "2-store", "3-submit", "4-notify", "5-complete", "h1-history", "c1-store", "c2-thanks",
        "cw-withdraw"};

    @Test
    void theMetricsAfterAKnownSequenceAreExactlyWhatHappenedAndTheDashboardAsksOnlyForThem() throws Exception {
        Map<String, String> props = new LinkedHashMap<>(peers.properties());
        props.put("igait.access-key", KEY);
        try (TestService service = TestService.start(props)) {
            Path video = Videos.mp4(tmp.resolve("v.mp4"), VIDEO);
            List<String> sids = new ArrayList<>();

            // 1. an upload that goes through
            String a = upload(service, "metrics-a", video);
            sids.add(a);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(a)));
            // 2. an upload refused: no email
            HttpResponse<String> refused = Http.post(service.uri("/api/v1/upload"), form("metrics-r", video, false));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(Http.json(refused.body()).get("error").asText()).isEqualTo("missing_field");
            // 3. a Metis outage: two qsubs fail, the third is taken
            peers.metis.failNext(2);
            String b = upload(service, "metrics-b", video);
            sids.add(b);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(b)));
            assertThat(peers.metis.commands()).hasSize(4);
            // 4. a job that fails for good: Metis refuses the login
            peers.metis.refuseAuthentication(true);
            String c = upload(service, "metrics-c", video);
            sids.add(c);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("failed/3-submit").resolve(c)));
            peers.metis.refuseAuthentication(false);
            // 5. Metis's result for the first job
            HttpResponse<String> completion = Http.post(service.uri("/api/v1/completion"), new Multipart()
                    .field("user_id", "metrics-a").field("job_id", "0").field("status_code", "OK").field("status_content", "0.87")
                    .field("igait_access_key", KEY));
            assertThat(completion.statusCode()).as(completion.body()).isEqualTo(202);
            await().atMost(Peers.timeout()).until(() -> countFiles(service.dataDir().resolve("done/5-complete")) == 1);

            String text = Http.get(service.managementUri("/observe/metrics")).body();
            Map<String, Double> all = Management.samples(text);
            Map<String, Double> igait = new LinkedHashMap<>();
            all.forEach((k, v) -> {
                if (k.startsWith("igait_") && !k.contains("_bucket") && !k.endsWith("_sum") && !k.contains("_sum{")
                        && !k.contains("_max") && !k.startsWith("igait_stage_oldest_ticket_seconds")
                        && !k.equals("igait_http_connections")) {
                    igait.put(k, v);
                }
            });
            Map<String, Double> expected = new LinkedHashMap<>();
            expected.put("igait_uploads_total{outcome=\"accepted\",reason=\"\"}", 3.0);
            expected.put("igait_uploads_total{outcome=\"refused\",reason=\"missing_field\"}", 1.0);
            expected.put("igait_upload_bytes_total", 3.0 * 2 * VIDEO);
            expected.put("igait_upload_seconds_count", 3.0);
            expected.put("igait_completions_total{status=\"ok\"}", 1.0);
            expected.put("igait_completions_total{status=\"err\"}", 0.0);
            expected.put("igait_completion_refused_total{reason=\"unauthorized\"}", 0.0);
            // What the API holds now: nothing, between requests (its worker pool: 32 uploads, 8 completions, 16 more).
            expected.put("igait_uploads_in_progress", 0.0);
            expected.put("igait_completions_in_progress", 0.0);
            expected.put("igait_upload_memory_bytes", 0.0);
            // No resumable upload in this run.
            expected.put("igait_resumable_uploads_in_progress", 0.0);
            expected.put("igait_resumable_bytes_total", 0.0);
            expected.put("igait_resumable_resumptions_total", 0.0);
            expected.put("igait_http_workers_busy", 0.0);
            expected.put("igait_http_workers", 56.0);
            for (String reason : new String[] {"max_connections", "connections_per_address", "header_timeout"}) {
                expected.put("igait_http_connections_closed_total{reason=\"" + reason + "\"}", 0.0);
            }
            expected.put("igait_stage_retries_total{peer=\"Firebase\",stage=\"1-record\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"S3\",stage=\"2-store\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"Metis\",stage=\"3-submit\"}", 2.0);
            expected.put("igait_stage_retries_total{peer=\"mail\",stage=\"4-notify\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"Firebase\",stage=\"5-complete\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"mail\",stage=\"h1-history\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"S3\",stage=\"c1-store\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"mail\",stage=\"c2-thanks\"}", 0.0);
            expected.put("igait_stage_retries_total{peer=\"S3\",stage=\"cw-withdraw\"}", 0.0);
            expected.put("igait_jobs_failed_total{reason=\"metis_refused\",stage=\"3-submit\"}", 1.0);
            expected.put("igait_stage_seconds_count{stage=\"1-record\"}", 3.0);
            expected.put("igait_stage_seconds_count{stage=\"2-store\"}", 3.0);
            expected.put("igait_stage_seconds_count{stage=\"3-submit\"}", 2.0);
            expected.put("igait_stage_seconds_count{stage=\"4-notify\"}", 2.0);
            expected.put("igait_stage_seconds_count{stage=\"5-complete\"}", 1.0);
            // No parent asked for a history, nobody contributed to the research study.
            for (String stage : new String[] {"h1-history", "c1-store", "c2-thanks", "cw-withdraw"}) {
                expected.put("igait_stage_seconds_count{stage=\"" + stage + "\"}", 0.0);
            }
            for (String stage : STAGES) {
                expected.put("igait_stage_tickets{stage=\"" + stage + "\"}", 0.0);
            }
            assertThat(igait).containsExactlyInAnyOrderEntriesOf(expected);
            for (String stage : STAGES) {
                assertThat(all).containsEntry("igait_stage_oldest_ticket_seconds{stage=\"" + stage + "\"}", 0.0);
            }
            // The test's own client may keep a connection to the API open.
            assertThat(all.get("igait_http_connections")).isBetween(0.0, 2.0);
            // Camel's route metrics and the JVM's are there too.
            assertThat(Management.names(text)).contains("camel_exchanges_total", "camel_route_policy_seconds_count",
                    "jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage");

            // No uid, email address or submission id in any label (nor anywhere in the answer).
            for (String secret : List.of("metrics-a", "metrics-b", "metrics-c", "metrics-r", "example.org", a, b, c)) {
                assertThat(text).as(secret).doesNotContain(secret);
            }

            // Every metric the dashboard's queries name is exposed.
            Set<String> asked = dashboardMetrics(Path.of("docs/grafana/igait.json"));
            assertThat(asked).isNotEmpty().contains("igait_uploads_total", "igait_stage_tickets", "igait_stage_oldest_ticket_seconds",
                    "igait_stage_seconds_bucket", "igait_stage_retries_total", "igait_jobs_failed_total", "igait_completions_total");
            assertThat(Management.names(text)).containsAll(asked);
        }
    }

    /** The metric names every query (expr) of the dashboard names. */
    static Set<String> dashboardMetrics(Path file) throws IOException {
        JsonNode dashboard = Http.json(Files.readString(file));
        List<String> exprs = new ArrayList<>();
        collect(dashboard, exprs);
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:igait|camel|jvm|process|system)_[a-zA-Z0-9_]+)\\b");
        for (String expr : exprs) {
            Matcher m = metric.matcher(expr);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static void collect(JsonNode node, List<String> exprs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                    exprs.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), exprs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, exprs));
        }
    }

    private static String upload(TestService service, String uid, Path video) {
        HttpResponse<String> r = Http.post(service.uri("/api/v1/upload"), form(uid, video, true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Http.json(r.body()).get("submissionId").asText();
    }

    private static Multipart form(String uid, Path video, boolean withEmail) {
        Multipart m = new Multipart().field("uid", uid).field("age", "7").field("ethnicity", "x").field("sex", "F")
                .field("height", "120cm").field("weight", "30");
        if (withEmail) {
            m.field("email", uid + "@example.org");
        }
        return m.file("fileuploadfront", "front.mp4", video).file("fileuploadside", "side.mp4", video);
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
