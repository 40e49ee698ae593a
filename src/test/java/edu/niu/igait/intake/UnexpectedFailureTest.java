package edu.niu.igait.intake;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import edu.niu.igait.pipeline.UploadsForTests;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;

/** Every unexpected 500 is answered in JSON and logged at ERROR with the route and the submission, never the body. */
class UnexpectedFailureTest {

    @TempDir
    Path tmp;

    @Test
    void aJobFileThatCannotBeReadIsA500LoggedWithItsRouteAndSubmission() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(Map.of()).awaitHealthy()) {
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 10_000);
            String sid = UploadsForTests.post(service.uri("/api/v1/upload"), "broken", "p@example.org", "x", video, video);
            Files.writeString(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"), "{\"age\": SECRET42, \"email\": \"secret@example.org\"}");

            HttpResponse<String> r = Http.get(service.uri("/api/v1/submissions/" + sid));
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(Http.json(r.body()).get("error").asText()).isEqualTo("internal_error");
            assertThat(r.body()).doesNotContain("SECRET");

            String log = service.logText();
            assertThat(log.lines().filter(l -> l.contains(" ERROR ") && l.contains("route submission-status")
                    && l.contains("submission " + sid))).hasSize(1);
            assertThat(log).doesNotContain("SECRET").doesNotContain("secret@example.org").doesNotContain("p@example.org");
        }
    }
}
