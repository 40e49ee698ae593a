package edu.niu.igait.intake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One service per data folder: a second one on the same folder refuses to start and touches nothing. */
class DataFolderLockTest {

    @Test
    void aSecondServiceOnTheSameDataFolderRefusesToStartAndLeavesTheFirstOnesUploadsAlone() throws Exception {
        try (ServiceProcess first = ServiceProcess.start(Map.of()).awaitHealthy()) {
            Path upload = first.dataDir().resolve("uploads").resolve("in-progress");
            Files.writeString(upload, "half a video");

            // Another process...
            try (ServiceProcess second = ServiceProcess.start(Map.of("igait.data-dir", first.dataDir().toString()))) {
                assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                assertThat(second.logText()).contains("iGait backend failed to start: the data folder " + first.dataDir())
                        .contains("igait.data-dir").contains("in use by another iGait backend (pid " + first.pid() + ")");
            }
            // ... and another service in this JVM.
            assertThatThrownBy(() -> TestService.start(Map.of("igait.data-dir", first.dataDir().toString())).close())
                    .hasMessageContaining("in use by another iGait backend");
            assertThat(upload).hasContent("half a video");
            assertThat(first.isAlive()).isTrue();
        }
    }

    @Test
    void theFolderIsFreeAgainOnceTheServiceStopped() throws Exception {
        Path data = Files.createTempDirectory("igait-lock-");
        TestService.start(Map.of("igait.data-dir", data.toString())).close();
        TestService.start(Map.of("igait.data-dir", data.toString())).close();
    }
}
