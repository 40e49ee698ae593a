package edu.niu.igait.ops;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows the data folder: DOWN while it is read-only (its uploads folder a read-only file system), DOWN while the disk under it has no
 * more free space than igait.limits.min-free-disk, UP again when that passes; liveness stays UP. The
 * data folder is a small tmpfs of its own (mounted here: the tests run as root, as CI does), so that
 * "read-only" and "full" are the file system's, not permissions root would ignore.
 */
class ReadinessTest {

    @TempDir
    Path tmp;
    Path mount;

    @BeforeEach
    void mountASmallFileSystem() throws Exception {
        mount = Files.createDirectories(tmp.resolve("data"));
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString()))
                .as("mounting a tmpfs (needs root, as in CI)").isZero();
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aReadOnlyDataFolderMakesReadinessDownAndBackUp() throws Exception {
        try (TestService service = TestService.start(Map.of("igait.data-dir", mount.toString(), "igait.limits.min-free-disk", "1MiB"))) {
            assertThat(ready(service).statusCode()).isEqualTo(200);

            // The data folder itself cannot be remounted read-only while the service holds its lock file open
            // for writing (as a kernel that hit disk errors would): its uploads folder becomes a read-only file system.
            Path uploads = mount.resolve("uploads");
            assertThat(run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", uploads.toString())).isZero();
            try {
                var down = ready(service);
                assertThat(down.statusCode()).isEqualTo(503);
                JsonNode check = Management.check(Http.json(down.body()), "data-folder");
                assertThat(check.get("status").asText()).isEqualTo("DOWN");
                assertThat(check.get("message").asText()).contains("cannot be written").contains("Read-only file system");
                assertThat(Http.get(service.managementUri("/observe/health/live")).statusCode()).as("liveness").isEqualTo(200);
                var open = Http.get(service.uri("/api/v1/health"));
                assertThat(open.statusCode()).isEqualTo(503);
                assertThat(open.body()).isEqualTo("{\"status\":\"DOWN\"}");
            } finally {
                assertThat(run("umount", uploads.toString())).isZero();
            }
            assertThat(ready(service).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aDiskWithNoMoreThanTheMarginMakesReadinessDownAndBackUp() throws Exception {
        try (TestService service = TestService.start(Map.of("igait.data-dir", mount.toString(), "igait.limits.min-free-disk", "32MiB"))) {
            assertThat(ready(service).statusCode()).isEqualTo(200);

            Path filler = mount.resolve("filler");
            try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                byte[] mb = new byte[1 << 20];
                for (int i = 0; i < 40; i++) {
                    f.write(mb);
                }
            }
            var down = ready(service);
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode check = Management.check(Http.json(down.body()), "free-disk");
            assertThat(check.get("status").asText()).isEqualTo("DOWN");
            assertThat(check.get("message").asText()).contains("igait.limits.min-free-disk");
            assertThat(Management.check(Http.json(down.body()), "data-folder").get("status").asText()).isEqualTo("UP");
            assertThat(Http.get(service.managementUri("/observe/health/live")).statusCode()).as("liveness").isEqualTo(200);

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(10)).until(() -> ready(service).statusCode() == 200);
        }
    }

    private static java.net.http.HttpResponse<String> ready(TestService service) {
        return Http.get(service.managementUri("/observe/health/ready"));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
