package edu.niu.igait.intake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import edu.niu.igait.pipeline.UploadsForTests;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;

/** igait.pipeline.enabled=false runs the intake alone, with the project's routes as they are. */
class IntakeAloneTest {

    @TempDir
    Path tmp;

    @Test
    void withThePipelineOffTheServiceStartsOnAllItsRoutesAndKeepsUploadsInTheFirstStage() throws Exception {
        try (TestService service = TestService.start(Map.of(
                "igait.pipeline.enabled", "false",
                "camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml"))) {
            // None of the pipeline's routes exist: their beans (peers' clients) were never made.
            assertThat(service.context().getRoutes()).extracting(r -> r.getRouteId())
                    .contains("upload-intake", "submission-status")
                    .doesNotContain("1-record", "1-record-steps", "stage-failed", "send-mail", "metis");
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 10_000);
            String sid = UploadsForTests.post(service.uri("/api/v1/upload"), "alone", "p@example.org", "x", video, video);
            Thread.sleep(1500);
            assertThat(service.dataDir().resolve("stages/1-record").resolve(sid)).exists();
            assertThat(Files.exists(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"))).isTrue();
        }
    }
}
