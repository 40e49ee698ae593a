package edu.niu.igait.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.pipeline.RouteCopies;
import edu.niu.igait.support.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which setting wins, as the README and application.properties say: -Dname=value over the environment
 * over the working directory's files over the defaults. Seen through a setting the service refuses,
 * naming the value it got: the jar's main, in a working directory with a profile file of its own.
 */
class PrecedenceTest {

    @TempDir
    Path work;

    @Test
    void dashDWinsOverTheEnvironmentWhichWinsOverTheFiles() throws Exception {
        RouteCopies.copyTree(Path.of("routes"), work.resolve("routes"));
        Files.writeString(work.resolve("application-precedence.properties"), "igait.retention.local = from-the-file\n");
        Map<String, String> env = Map.of("IGAIT_RETENTION_LOCAL", "from-the-environment");

        assertThat(refusedValue(Map.of("igait.retention.local", "from-dash-d"), env)).isEqualTo("from-dash-d");
        assertThat(refusedValue(Map.of(), env)).isEqualTo("from-the-environment");
    }

    /** The value of igait.retention.local the service refused (it is no duration). */
    private String refusedValue(Map<String, String> dashD, Map<String, String> env) {
        Map<String, String> p = new LinkedHashMap<>(dashD);
        p.put("camel.main.profile", "precedence");
        try (ServiceProcess service = ServiceProcess.start(work, p, env)) {
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            String log = service.logText();
            int got = log.indexOf("igait.retention.local must be");
            assertThat(got).as(log).isNotNegative();
            int from = log.indexOf("got '", got) + 5;
            return log.substring(from, log.indexOf('\'', from));
        }
    }
}
