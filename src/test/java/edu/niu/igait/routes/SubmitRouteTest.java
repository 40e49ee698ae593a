package edu.niu.igait.routes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import edu.niu.igait.job.Job;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/stages/3-submit.yaml: the qsub goes to Metis once (the ssh endpoint is a mock playing PBS),
 * the PBS id is recorded, status Processing, the ticket to 4-notify. A qsub whose answer was lost is
 * first looked for on PBS; a job with a PBS id is never sent again.
 */
class SubmitRouteTest extends RouteTest {

    static final String QSUB = "qsub -N igait-%1$s-0 -v USER_ID=%1$s,JOB_ID=0 /lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs";

    private MockEndpoint metis;
    /** What PBS prints for a qselect of the job: its id, or nothing. */
    private volatile String qselect = "";

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/3-submit.yaml");
    }

    @BeforeEach
    void pbs() {
        qselect = "";
        metis = getMockEndpoint(METIS);
        metis.whenAnyExchangeReceived(e -> {
            String command = e.getMessage().getBody(String.class);
            e.getMessage().setHeader("CamelSshExitValue", 0);
            e.getMessage().setBody(command.startsWith("qsub ") ? "4242.metis\n" : qselect);
        });
    }

    @Test
    void aJobIsSubmittedOnceWithItsUidAndJobIdAndItsPbsIdRecorded() {
        Job job = recorded("sub", "p@example.org");
        release(job.submissionId, "3-submit");

        awaitTicket("stages/4-notify", job.submissionId);
        assertThat(metis.getExchanges()).extracting(e -> e.getIn().getBody(String.class)).containsExactly(String.format(QSUB, "sub"));
        assertThat(jobs().get(job.submissionId).pbsId).isEqualTo("4242.metis");
        Map<String, Object> stored = stored("sub", 0);
        assertThat(stored.get("pbs_id")).isEqualTo("4242.metis");
        assertThat(map(stored.get("status"))).containsEntry("code", "Processing")
                .containsEntry("value", "Submitted to Metis as PBS job 4242.metis.");
    }

    @Test
    void aQsubWhoseAnswerWasLostIsFoundOnPbsAndNotSentAgain() {
        qselect = "4241.metis\n";
        Job job = recorded("lost", "p@example.org");
        jobs().update(job.submissionId, j -> j.submitSentAt = Instant.now());
        release(job.submissionId, "3-submit");

        awaitTicket("stages/4-notify", job.submissionId);
        assertThat(metis.getExchanges()).extracting(e -> e.getIn().getBody(String.class)).containsExactly("qselect -N igait-lost-0");
        assertThat(jobs().get(job.submissionId).pbsId).isEqualTo("4241.metis");
        assertThat(map(stored("lost", 0).get("status"))).containsEntry("code", "Processing");
    }

    @Test
    void aQsubWhoseAnswerWasLostAndThatPbsDoesNotHaveIsSentAgain() {
        Job job = recorded("gone", "p@example.org");
        jobs().update(job.submissionId, j -> j.submitSentAt = Instant.now());
        release(job.submissionId, "3-submit");

        awaitTicket("stages/4-notify", job.submissionId);
        assertThat(metis.getExchanges()).extracting(e -> e.getIn().getBody(String.class))
                .containsExactly("qselect -N igait-gone-0", String.format(QSUB, "gone"));
        assertThat(jobs().get(job.submissionId).pbsId).isEqualTo("4242.metis");
    }

    @Test
    void aJobWithAPbsIdIsNotSentAgainAndItsStatusIsToldAgain() {
        Job job = recorded("done", "p@example.org");
        jobs().update(job.submissionId, j -> j.pbsId = "4000.metis");
        release(job.submissionId, "3-submit");

        awaitTicket("stages/4-notify", job.submissionId);
        assertThat(metis.getExchanges()).isEmpty();
        assertThat(map(stored("done", 0).get("status"))).containsEntry("code", "Processing")
                .containsEntry("value", "Submitted to Metis as PBS job 4000.metis.");
    }
}
