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

import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.stages.StageAbandoned;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/stage.yaml and routes/errors.yaml: what every stage does with a ticket, seen on a stage of the
 * test's own (src/test/resources/route-tests/probe-stage.yaml, declared as every stage is) whose one
 * step passes or throws what the test says.
 */
class StageRoutesTest extends RouteTest {

    /** The probe stage's step: for the ticket's uid, records the call, then throws the next scripted failure, if any. */
    public static final class Probe {
        final Map<String, List<Ticket>> calls = new ConcurrentHashMap<>();
        final Map<String, Deque<RuntimeException>> failures = new ConcurrentHashMap<>();
        final Map<String, RuntimeException> always = new ConcurrentHashMap<>();

        public void step(Ticket ticket) {
            calls.computeIfAbsent(ticket.uid, u -> new CopyOnWriteArrayList<>()).add(ticket);
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

    final Probe probe = new Probe();

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "src/test/resources/route-tests/probe-stage.yaml");
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

    private static List<Exchange> alertsAbout(MockEndpoint mail, String sid) {
        return mail.getExchanges().stream().filter(e -> e.getMessage().getBody(String.class).contains(sid)).toList();
    }

    private String value(String uid, int jobId) {
        return (String) map(stored(uid, jobId).get("status")).get("value");
    }
}
