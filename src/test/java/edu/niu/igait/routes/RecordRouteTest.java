package edu.niu.igait.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import edu.niu.igait.job.Job;
import edu.niu.igait.store.JobStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** routes/stages/1-record.yaml: the user and the job where the app reads them, then the ticket to 2-store. */
class RecordRouteTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/1-record.yaml");
    }

    @Test
    void anUploadIsRecordedAsSubmittingUnderTheNextJobIdAndHandedTo2Store() {
        Job first = upload("rec", "p@example.org", "x", "110cm");
        Job second = upload("rec", "p@example.org", "x", "111cm");
        release(first.submissionId, "1-record");
        awaitTicket("stages/2-store", first.submissionId);
        release(second.submissionId, "1-record");
        awaitTicket("stages/2-store", second.submissionId);

        assertThat(jobs().get(first.submissionId).jobId).isZero();
        assertThat(jobs().get(second.submissionId).jobId).isEqualTo(1);
        Map<String, Object> stored = stored("rec", 0);
        assertThat(stored.get("submission_id")).isEqualTo(first.submissionId);
        assertThat(stored.get("email")).isEqualTo("p@example.org");
        assertThat(map(stored.get("status"))).containsEntry("code", "Submitting")
                .containsEntry("value", "Submission received, being recorded.");
        assertThat(stored("rec", 1).get("height")).isEqualTo("111cm");
        assertThat(tickets("stages/1-record")).doesNotContain(first.submissionId, second.submissionId);
        // Indexed by submission id, so that the job is found without its job.json.
        assertThat(jobStore().submission(first.submissionId)).contains(new JobStore.SubmissionRef("rec", 0));
        assertThat(jobStore().submission(second.submissionId)).contains(new JobStore.SubmissionRef("rec", 1));
    }

    @Test
    void aRepeatedStageFindsTheJobItRecordedInsteadOfMakingAnother() throws Exception {
        Job job = upload("again", "p@example.org", "x", "110cm");
        release(job.submissionId, "1-record");
        Path moved = awaitTicket("stages/2-store", job.submissionId);

        // As after a crash between the job store and the hand-off: the ticket is back in 1-record.
        Files.move(moved, data.resolve("stages/1-record").resolve(job.submissionId));
        awaitTicket("stages/2-store", job.submissionId);
        assertThat(jobs().get(job.submissionId).jobId).isZero();
        assertThat((List<?>) jobStore().user("again").orElseThrow().get("jobs")).hasSize(1);
        assertThat(jobStore().submission(job.submissionId)).contains(new JobStore.SubmissionRef("again", 0));
    }
}
