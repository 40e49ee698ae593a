package edu.niu.igait.routes;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.health.PeerHealth;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobView;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.metrics.ServiceMetrics;
import edu.niu.igait.stages.JobStatus;
import edu.niu.igait.stages.StageAbandoned;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import static edu.niu.igait.routes.HttpRoutesTest.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/stage.yaml and routes/errors.yaml: what every stage does with a ticket, seen on a stage of the
 * test's own (src/test/resources/route-tests/probe-stage.yaml, declared as every stage is) whose one
 * step passes or throws what the test says; and what a stage written in YAML alone may read and do
 * (src/test/resources/route-tests/yaml-stages.yaml): the job's ids and status without Java, a status of
 * its own, a give-up policy that leaves the status, a mistake that only a job meets.
 */
class StageRoutesTest extends RouteTest {

    /** The probe stage's step: for the ticket's uid, records the call, then throws the next scripted failure, if any. */
    public static final class Probe {
        final Map<String, List<Ticket>> calls = new ConcurrentHashMap<>();
        final Map<String, Deque<RuntimeException>> failures = new ConcurrentHashMap<>();
        final Map<String, RuntimeException> always = new ConcurrentHashMap<>();
        /** A uid whose step waits until the latch opens (at most 10 s). */
        final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();

        public void step(Ticket ticket) throws InterruptedException {
            calls.computeIfAbsent(ticket.uid, u -> new CopyOnWriteArrayList<>()).add(ticket);
            CountDownLatch hold = holds.get(ticket.uid);
            if (hold != null) {
                hold.await(10, TimeUnit.SECONDS);
            }
            RuntimeException failure = always.get(ticket.uid);
            if (failure != null) {
                throw failure;
            }
            Deque<RuntimeException> next = failures.get(ticket.uid);
            if (next != null && !next.isEmpty()) {
                throw next.poll();
            }
        }

        List<Ticket> calls(String uid) {
            return calls.getOrDefault(uid, List.of());
        }
    }

    static final String YAML_STAGES = "src/test/resources/route-tests/yaml-stages.yaml";

    final Probe probe = new Probe();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "src/test/resources/route-tests/probe-stage.yaml",
                YAML_STAGES);
    }

    @Override
    protected void properties(Properties p) {
        p.put("igait.retry.give-up-after", "1s");
    }

    @Override
    protected void bindAfter(Registry registry) {
        replace(registry, "probe", probe);
    }

    @Test
    void aTicketGoesThroughTheStepsOnceAndIsMovedToTheNextFolder() {
        Job job = recorded("passer", "p@example.org");
        release(job.submissionId, "probe");

        awaitTicket("stages/probe-next", job.submissionId);
        assertThat(tickets("stages/probe")).doesNotContain(job.submissionId);
        assertThat(probe.calls("passer")).hasSize(1);
        Ticket seen = probe.calls("passer").get(0);
        assertThat(seen.submissionId).isEqualTo(job.submissionId);
        assertThat(seen.stage).isEqualTo("probe");
        assertThat(seen.peer).isEqualTo("S3");
        assertThat(seen.jobId).isEqualTo(job.jobId);
        assertThat(jobs().get(job.submissionId).stage).isEqualTo("probe");
        assertThat(tickets("failed/probe")).doesNotContain(job.submissionId);
    }

    /**
     * The file consumer's poll can list a ticket just before the exchange that has it moves it on, and take
     * it again once that exchange is over: the second exchange finds the folder without it. Made here by
     * moving a ticket that waits in the stage's queue (behind one held in the step) out of the folder.
     */
    @Test
    void aTicketGoneFromTheFolderBeforeItsTurnIsNoFailureAndNoAlert() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        CountDownLatch hold = new CountDownLatch(1);
        probe.holds.put("holder", hold);
        Job first = recorded("holder", "p@example.org");
        Job second = recorded("queued", "q@example.org");
        release(first.submissionId, "probe");
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.calls("holder").size() == 1);
        release(second.submissionId, "probe");
        // Taken by a poll (its marker file made) and waiting for the stage's one thread.
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(data.resolve("stages/probe").resolve(second.submissionId + ".camelLock")));
        Files.createDirectories(data.resolve("elsewhere"));
        Files.move(data.resolve("stages/probe").resolve(second.submissionId), data.resolve("elsewhere").resolve(second.submissionId));
        hold.countDown();

        awaitTicket("stages/probe-next", first.submissionId);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(data.resolve("stages/probe").resolve(second.submissionId + ".camelLock")));
        Thread.sleep(500); // igait.alerts.delay is 100 ms here: an alert would have gone by now
        assertThat(probe.calls("queued")).isEmpty();
        assertThat(tickets("failed/probe")).doesNotContain(second.submissionId);
        assertThat(alertsAbout(mail, second.submissionId)).isEmpty();
        assertThat(jobs().get(second.submissionId).status.code).isNotEqualTo(StatusCode.SubmissionErr);
    }

    @Test
    void aPeerRefusedGoesToStageFailedAtOnceWithTheReasonAndAnAlert() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        probe.always.put("refused", new PeerRefused("S3", "S3 refused the request (HTTP 403, AccessDenied)", null));
        Job job = recorded("refused", "p@example.org");
        release(job.submissionId, "probe");

        awaitTicket("failed/probe", job.submissionId);
        assertThat(probe.calls("refused")).hasSize(1);
        Job failed = jobs().get(job.submissionId);
        assertThat(failed.status.code).isEqualTo(StatusCode.SubmissionErr);
        assertThat(failed.status.value).isEqualTo("Submission failed: S3 refused the request (HTTP 403, AccessDenied).");
        assertThat(failed.stage).isEqualTo("failed/probe");
        assertThat(map(stored("refused", job.jobId).get("status")).get("code")).isEqualTo("SubmissionErr");
        assertThat(jobs().readTicket(data.resolve("failed/probe").resolve(job.submissionId)).retry).isNull();

        // The operator hears of it, without the parent's address.
        await().atMost(Duration.ofSeconds(5)).until(() -> alertsAbout(mail, job.submissionId).size() == 1);
        Exchange alert = alertsAbout(mail, job.submissionId).get(0);
        assertThat(alert.getMessage().getHeader("To")).isEqualTo(OPERATOR);
        assertThat(alert.getMessage().getHeader("Subject", String.class)).matches("iGait: \\d+ submission\\(s\\) failed");
        assertThat(alert.getMessage().getBody(String.class)).contains("AccessDenied").doesNotContain("p@example.org");
    }

    @Test
    void aTransientErrorIsRetriedWithTheStatusSayingSoThenDeadLetteredAfterTheGiveUpTime() {
        probe.always.put("flaky", new PeerUnavailable("S3", "S3 unreachable: connection refused", null));
        Job job = recorded("flaky", "p@example.org");
        release(job.submissionId, "probe");

        await().atMost(Duration.ofSeconds(5)).until(() -> "S3 unavailable, retrying".equals(value("flaky", job.jobId)));
        awaitTicket("failed/probe", job.submissionId);
        // Retried from the first failure until igait.retry.give-up-after (1 s) with back-off (50 ms to 200 ms).
        assertThat(probe.calls("flaky").size()).isBetween(3, 30);
        assertThat(value("flaky", job.jobId)).isEqualTo("Submission failed: S3 unavailable, gave up retrying.");
        assertThat(jobs().get(job.submissionId).history).extracting(h -> h.value).contains("S3 unavailable, retrying");
    }

    @Test
    void aTransientErrorThatPassesMovesTheTicketOnWithoutItsRetries() {
        probe.failures.put("recovers", new ConcurrentLinkedDeque<>(List.of(
                new PeerUnavailable("S3", "S3 answered HTTP 503", null), new PeerUnavailable("S3", "S3 answered HTTP 503", null))));
        Job job = recorded("recovers", "p@example.org");
        release(job.submissionId, "probe");

        var moved = awaitTicket("stages/probe-next", job.submissionId);
        assertThat(probe.calls("recovers")).hasSize(3);
        assertThat(jobs().readTicket(moved).retry).isNull();
        assertThat(tickets("failed/probe")).doesNotContain(job.submissionId);
    }

    @Test
    void stageAbandonedLeavesTheTicketWhereItIsWithoutRetryOrFailure() throws Exception {
        probe.always.put("stopping", new StageAbandoned("probe"));
        Job job = recorded("stopping", "p@example.org");
        release(job.submissionId, "probe");

        // Taken up again at each poll (as at the next start), never retried by the error handler, never failed.
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.calls("stopping").size() >= 3);
        assertThat(tickets("stages/probe")).contains(job.submissionId);
        assertThat(tickets("failed/probe")).doesNotContain(job.submissionId);
        assertThat(jobs().readTicket(data.resolve("stages/probe").resolve(job.submissionId)).retry).isNull();
        Job waiting = jobs().get(job.submissionId);
        assertThat(waiting.status.code).isEqualTo(StatusCode.Submitting);
        assertThat(waiting.history).extracting(h -> h.value).noneMatch(v -> v != null && v.contains("retrying"));

        // Running again, the stage takes it on.
        probe.always.remove("stopping");
        awaitTicket("stages/probe-next", job.submissionId);
    }

    @Test
    void aTicketWithoutItsJobFolderIsFailedAtOnceWithoutRunningTheSteps() throws Exception {
        int before = probe.calls.values().stream().mapToInt(List::size).sum();
        String sid = SubmissionId.next();
        Files.writeString(data.resolve("stages/probe").resolve(sid), "{\"submissionId\":\"" + sid + "\"}");

        awaitTicket("failed/probe", sid);
        assertThat(probe.calls.values().stream().mapToInt(List::size).sum()).isEqualTo(before);
        assertThat(tickets("stages/probe")).doesNotContain(sid);
    }

    @Test
    void aStageInYamlReadsTheJobsIdsAndStatusWithoutJavaAndSetsAStatusOfItsOwn() throws Exception {
        MockEndpoint seen = getMockEndpoint("mock:yaml-reader-seen");
        MockEndpoint after = getMockEndpoint("mock:yaml-reader-after");
        seen.expectedMessageCount(1);
        after.expectedMessageCount(1);
        Job job = recorded("reader", "p@example.org");
        String sid = job.submissionId;
        status().set(sid, StatusCode.Queue, "Currently in queue.", "2-store");
        jobs().update(sid, j -> j.pbsId = "77.metis");
        release(sid, "yaml-reader");

        awaitTicket("stages/yaml-reader-next", sid);
        seen.assertIsSatisfied();
        after.assertIsSatisfied();
        JsonNode read = JSON.readTree(seen.getExchanges().get(0).getMessage().getBody(String.class));
        assertThat(read.get("uid").asText()).isEqualTo("reader");
        assertThat(read.get("jobId").asInt()).isEqualTo(job.jobId);
        assertThat(read.get("submissionId").asText()).isEqualTo(sid);
        assertThat(read.get("stage").asText()).isEqualTo("yaml-reader");
        assertThat(read.get("status").asText()).isEqualTo("Queue");
        assertThat(read.get("pbsId").asText()).isEqualTo("77.metis");
        // The status it set, read back through the view, in job.json and where the app reads it; and its note.
        assertThat(after.getExchanges().get(0).getMessage().getBody(String.class)).isEqualTo("Processing: Told the probe, after Queue");
        Job done = jobs().get(sid);
        assertThat(done.status.code).isEqualTo(StatusCode.Processing);
        assertThat(map(stored("reader", job.jobId).get("status"))).containsEntry("code", "Processing")
                .containsEntry("value", "Told the probe, after Queue");
        Job.HistoryEntry last = done.history.get(done.history.size() - 1);
        assertThat(last.note).isEqualTo("yaml-reader passed");
        assertThat(last.stage).isEqualTo("yaml-reader");
        // The view as JSON (marshal: json): the ids, the status, the times as text; nothing else.
        JsonNode json = JSON.readTree(getMockEndpoint("mock:yaml-reader-json").getExchanges().get(0).getMessage().getBody(String.class));
        assertThat(json.get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(json.get("submittedAt").asText()).isEqualTo(done.submittedAt.toString());
        assertThat(json.get("pbsId").asText()).isEqualTo("77.metis");
        assertThat(json.toString()).doesNotContain("p@example.org");
        // The view a route reads has no getter for the parent's address or the child's data.
        assertThat(java.util.Arrays.stream(JobView.class.getMethods()).map(java.lang.reflect.Method::getName))
                .doesNotContain("getEmail", "getAge", "getEthnicity", "getSex", "getHeight", "getWeight");
    }

    @Test
    void aStageWhoseGiveUpPolicyIsNoteLeavesTheStatusNotesTheFailureAndTellsTheOperator() {
        MockEndpoint mail = getMockEndpoint(MAIL);
        probe.always.put("noted", new PeerRefused("webhook", "the lab's system refused the call (HTTP 403)", null));
        Job job = recorded("noted", "p@example.org");
        String sid = job.submissionId;
        status().set(sid, StatusCode.Processing, "Submitted to Metis as PBS job 8.metis.", "3-submit");
        release(sid, "yaml-noter");

        awaitTicket("failed/yaml-noter", sid);
        Job noted = jobs().get(sid);
        assertThat(noted.status.code).isEqualTo(StatusCode.Processing);
        assertThat(noted.status.value).isEqualTo("Submitted to Metis as PBS job 8.metis.");
        assertThat(map(stored("noted", job.jobId).get("status"))).containsEntry("code", "Processing");
        assertThat(noted.stage).isEqualTo("failed/yaml-noter");
        Job.HistoryEntry last = noted.history.get(noted.history.size() - 1);
        assertThat(last.code).isNull();
        assertThat(last.note).isEqualTo("yaml-noter did not complete: the lab's system refused the call (HTTP 403); the team has been told.");
        await().atMost(Duration.ofSeconds(5)).until(() -> alertsAbout(mail, sid).size() == 1);
        assertThat(alertsAbout(mail, sid).get(0).getMessage().getBody(String.class))
                .contains("to retry, move " + data.resolve("failed/yaml-noter").resolve(sid) + " back to " + data.resolve("stages/yaml-noter") + "/");
    }

    @Test
    void aTicketMovedBackFromFailedShowsTheStatusItHadBeforeAndGoesOn() throws Exception {
        probe.always.put("returns", new PeerRefused("S3", "S3 refused the request (HTTP 403, AccessDenied)", null));
        Job job = recorded("returns", "p@example.org");
        String sid = job.submissionId;
        status().set(sid, StatusCode.Queue, "Currently in queue.", "2-store");
        release(sid, "probe");
        awaitTicket("failed/probe", sid);
        assertThat(jobs().get(sid).status.code).isEqualTo(StatusCode.SubmissionErr);
        assertThat(map(stored("returns", job.jobId).get("status"))).containsEntry("code", "SubmissionErr");

        // The cause fixed, the operator moves the ticket back, as the alert says.
        probe.always.remove("returns");
        Files.move(data.resolve("failed/probe").resolve(sid), data.resolve("stages/probe").resolve(sid));
        awaitTicket("stages/probe-next", sid);
        Job back = jobs().get(sid);
        assertThat(back.status.code).isEqualTo(StatusCode.Queue);
        assertThat(back.status.value).isEqualTo("Currently in queue.");
        assertThat(map(stored("returns", job.jobId).get("status"))).containsEntry("code", "Queue")
                .containsEntry("value", "Currently in queue.");
        assertThat(back.statusBeforeFailure).isNull();
        assertThat(back.failureReason).isNull();
        assertThat(back.stage).isEqualTo("probe");
        assertThat(back.history).extracting(h -> h.code).containsSubsequence(StatusCode.Queue, StatusCode.SubmissionErr, StatusCode.Queue);
    }

    @Test
    void aMistakeInARouteMetAtRunTimeFailsTheJobAtOnceAsARouteErrorNamingWhereItIsAndLeavesThePeerAlone() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        PeerHealth s3 = context.getRegistry().lookupByNameAndType("health-peer-s3", PeerHealth.class);
        Object stagesSawBefore = s3.call().getDetails().get("stages.at");
        Job job = recorded("broken", "p@example.org");
        String sid = job.submissionId;
        release(sid, "yaml-broken");

        awaitTicket("failed/yaml-broken", sid);
        // At once: the steps ran once, not retried as an outage would be.
        assertThat(probe.calls("broken")).hasSize(1);
        Job failed = jobs().get(sid);
        assertThat(failed.status.code).isEqualTo(StatusCode.SubmissionErr);
        assertThat(failed.status.value).isEqualTo("Submission failed: route error.");
        assertThat(failed.failureReason).isEqualTo("route error");

        // The operator's alert names the route, its file and line, and the step.
        int line = lineOf(YAML_STAGES, "${exchangeProperty.ticket.submissionId}") - 1;
        await().atMost(Duration.ofSeconds(5)).until(() -> alertsAbout(mail, sid).size() == 1);
        Exchange alert = alertsAbout(mail, sid).get(0);
        assertThat(alert.getMessage().getHeader("Subject", String.class)).isEqualTo("iGait: 1 job(s) stopped by a mistake in routes/");
        assertThat(alert.getMessage().getBody(String.class))
                .contains("route error in route yaml-broken-steps (" + YAML_STAGES + ":" + line + "), step setBody")
                .contains("MethodNotFoundException")
                .contains("to retry, move " + data.resolve("failed/yaml-broken").resolve(sid) + " back to " + data.resolve("stages/yaml-broken") + "/")
                .doesNotContain("p@example.org");
        // Counted as a route error; S3, the stage's peer, was not at fault: its health heard nothing from the stage.
        MeterRegistry meters = context.getRegistry().lookupByNameAndType("serviceMetrics", ServiceMetrics.class).registry();
        assertThat(meters.find(ServiceMetrics.JOBS_FAILED).tags("stage", "yaml-broken", "reason", "route_error").counter().count())
                .isEqualTo(1.0);
        assertThat(s3.call().getDetails().get("stages.at")).isEqualTo(stagesSawBefore);
    }

    private JobStatus status() {
        return new JobStatus(jobs(), jobStore());
    }

    /** The 1-based line of the first line of {@code file} that contains {@code text}. */
    static int lineOf(String file, String text) throws java.io.IOException {
        List<String> lines = Files.readAllLines(java.nio.file.Path.of(file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }

    private static List<Exchange> alertsAbout(MockEndpoint mail, String sid) {
        return mail.getExchanges().stream().filter(e -> e.getMessage().getBody(String.class).contains(sid)).toList();
    }

    private String value(String uid, int jobId) {
        return (String) map(stored(uid, jobId).get("status")).get("value");
    }
}
