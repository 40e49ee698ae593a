package edu.niu.igait.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import edu.niu.igait.dev.Ports;
import edu.niu.igait.support.Peers;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stage 3 against a real OpenSSH server (Debian's sshd as a second instance on a free port, as Metis
 * runs it): the host key checked from known_hosts files as {@code ssh-keyscan} writes them (all key
 * types, one type, hashed host names), and a foreign host key refused before any command runs.
 * Needs {@code /usr/sbin/sshd} (package openssh-server, which .ci/run installs).
 */
@EnabledIf(value = "sshdInstalled", disabledReason = "OpenSSH server not installed (apt-get install openssh-server)")
class OpenSshMetisTest extends WithPeers {

    static final Path SSHD = Path.of("/usr/sbin/sshd");
    static Path dir;
    static Process sshd;
    static int port;

    /** Skipped, and reported so, where Debian's sshd is missing. */
    static boolean sshdInstalled() {
        return Files.isExecutable(SSHD);
    }

    @BeforeAll
    static void startSshd() throws Exception {
        dir = Files.createTempDirectory("igait-openssh-");
        for (String[] key : List.of(new String[] {"ed25519", "host_ed25519"}, new String[] {"ecdsa", "host_ecdsa"},
                new String[] {"rsa", "host_rsa"})) {
            run("ssh-keygen", "-q", "-t", key[0], "-N", "", "-f", dir.resolve(key[1]).toString());
        }
        Files.copy(Path.of(peers.clientKey + ".pub"), dir.resolve("authorized_keys"));
        // qsub and qselect as PBS answers them: qsub prints the new job's id, qselect -N the ids of the
        // jobs of that name (nothing when there is none).
        Path calls = dir.resolve("qsub.calls");
        Path qsub = dir.resolve("qsub");
        Files.writeString(qsub, "#!/bin/sh\necho \"$@\" >> " + calls + "\n"
                + "echo \"$(( $(wc -l < " + calls + ") + 4000 )).metis.niu.edu\"\n");
        qsub.toFile().setExecutable(true);
        Path qselect = dir.resolve("qselect");
        Files.writeString(qselect, "#!/bin/sh\n[ \"$1\" = \"-N\" ] || exit 2\n"
                + "[ -f " + calls + " ] && grep -n -- \"-N $2 \" " + calls
                + " | while IFS=: read n rest; do echo \"$((n + 4000)).metis.niu.edu\"; done\nexit 0\n");
        qselect.toFile().setExecutable(true);
        port = Ports.freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_ed25519"), "HostKey " + dir.resolve("host_ecdsa"), "HostKey " + dir.resolve("host_rsa"),
                "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PermitRootLogin prohibit-password", ""));
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Ports.accepting(port));
        keyscan("known_hosts_all");
        keyscan("known_hosts_ecdsa_hashed", "-H", "-t", "ecdsa");
        keyscan("known_hosts_rsa", "-t", "rsa");
        keyscan("known_hosts_ed25519", "-t", "ed25519");
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"known_hosts_all", "known_hosts_ecdsa_hashed", "known_hosts_rsa", "known_hosts_ed25519"})
    void submitsToOpenSshCheckingItsHostKey(String knownHosts) throws Exception {
        String uid = "openssh-" + knownHosts.replace('_', '-');
        try (TestService service = TestService.start(properties(dir.resolve(knownHosts)))) {
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
            String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
        }
        JsonNode job = peers.user(uid).get("jobs").get(0);
        assertThat(job.get("status").get("code").asText()).isEqualTo("Processing");
        assertThat(job.get("pbs_id").asText()).matches("\\d+\\.metis\\.niu\\.edu");
        assertThat(Files.readAllLines(dir.resolve("qsub.calls")))
                .containsOnlyOnce("-N igait-" + uid + "-0 -v USER_ID=" + uid + ",JOB_ID=0 /lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs");
    }

    @Test
    void aForeignHostKeyIsRefusedBeforeAnyCommandRuns() throws Exception {
        // The simulator's keys for OpenSSH's address: the same host name, other keys.
        Path foreign = peers.metis.writeKnownHosts(tmp.resolve("foreign_known_hosts"),
                edu.niu.igait.dev.MetisSimulator.KeyType.ED25519, edu.niu.igait.dev.MetisSimulator.KeyType.ECDSA_P256);
        Files.writeString(foreign, Files.readString(foreign).replace("]:" + peers.metis.port(), "]:" + port));
        long callsBefore = Files.exists(dir.resolve("qsub.calls")) ? Files.readAllLines(dir.resolve("qsub.calls")).size() : 0;
        String uid = "openssh-foreign";
        try (TestService service = TestService.start(properties(foreign))) {
            Path video = Videos.mp4(tmp.resolve("v.mp4"), 20_000);
            String sid = Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
            await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("failed/3-submit").resolve(sid)));
        }
        JsonNode status = peers.user(uid).get("jobs").get(0).get("status");
        assertThat(status.get("code").asText()).isEqualTo("SubmissionErr");
        assertThat(status.get("value").asText()).contains("host key");
        long callsAfter = Files.exists(dir.resolve("qsub.calls")) ? Files.readAllLines(dir.resolve("qsub.calls")).size() : 0;
        assertThat(callsAfter).isEqualTo(callsBefore);
    }

    private static Map<String, String> properties(Path knownHosts) {
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("igait.metis.port", Integer.toString(port));
        p.put("igait.metis.user", System.getProperty("user.name"));
        p.put("igait.metis.known-hosts", knownHosts.toString());
        p.put("igait.metis.command", dir.resolve("qsub") + " -N igait-${uid}-${jobId} -v USER_ID=${uid},JOB_ID=${jobId}"
                + " /lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs");
        p.put("igait.metis.check-command", dir.resolve("qselect") + " -N igait-${uid}-${jobId}");
        return p;
    }

    private static void keyscan(String file, String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("ssh-keyscan", "-p", Integer.toString(port)));
        cmd.addAll(List.of(options));
        cmd.add("127.0.0.1");
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve(file).toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve(file))).as(file).isNotBlank();
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
