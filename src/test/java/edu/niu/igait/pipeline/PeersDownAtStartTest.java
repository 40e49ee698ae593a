package edu.niu.igait.pipeline;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import edu.niu.igait.support.Peers;
import edu.niu.igait.support.StageTickets;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;
import edu.niu.igait.support.WithPeers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Start-up never depends on a peer: with Firebase, S3, Metis or the mail server down (or all of them,
 * or unknown to DNS, or black-holing connections) the service starts, takes uploads and keeps them;
 * the stages wait, and finish the jobs once the peers are back, without a restart.
 */
class PeersDownAtStartTest extends WithPeers {

    TestService service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
        // WithPeers resets the peers to running before the next test.
    }

    /** The stage each peer holds a job in while it is down. */
    static final Map<String, String> STAGE = Map.of("firebase", "1-record", "s3", "2-store", "metis", "3-submit", "mail", "4-notify");

    @ParameterizedTest
    @ValueSource(strings = {"firebase", "s3", "metis", "mail"})
    void startsWithOnePeerDownTakesUploadsAndFinishesThemWhenItIsBack(String peer) throws Exception {
        stop(List.of(peer));
        service = TestService.start(whileDown(List.of(peer)));
        String sid = upload("down-" + peer);
        awaitRetrying(STAGE.get(peer), sid);
        assertThat(Files.exists(service.dataDir().resolve("done").resolve(sid))).isFalse();
        start(List.of(peer));
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
        assertThat(peers.mailsTo("p@example.org")).hasSize(1);
        assertThat(peers.metis.submissions()).hasSize(1);
    }

    @Test
    void startsWithAllPeersDownAndFinishesOnceTheyAreBack() throws Exception {
        List<String> all = List.of("firebase", "s3", "metis", "mail");
        stop(all);
        service = TestService.start(whileDown(all));
        String sid = upload("all-down");
        awaitRetrying("1-record", sid);
        assertThat(service.dataDir().resolve("stages/1-record").resolve(sid)).exists();
        start(all);
        await().atMost(Peers.timeout()).until(() -> Files.exists(service.dataDir().resolve("done").resolve(sid)));
        assertThat(peers.user("all-down").get("jobs").get(0).get("status").get("code").asText()).isEqualTo("Processing");
    }

    @Test
    void startsWhileThePeersAreUnknownToDnsOrBlackHoleConnectionsAndTakesUploads() throws Exception {
        // A black hole: connections are taken into the backlog and never answered.
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, String> p = new LinkedHashMap<>(peers.properties());
            p.put("igait.s3.endpoint", "http://127.0.0.1:" + blackHole.getLocalPort());
            p.put("igait.mail.host", "no-such-host.invalid");
            p.put("igait.metis.host", "127.0.0.1");
            p.put("igait.metis.port", Integer.toString(blackHole.getLocalPort()));
            // The simulator's host keys, as known_hosts lists them for the black hole's port.
            Path knownHosts = tmp.resolve("known_hosts_black_hole");
            Files.writeString(knownHosts, Files.readString(peers.knownHosts)
                    .replace("]:" + peers.metis.port(), "]:" + blackHole.getLocalPort()));
            p.put("igait.metis.known-hosts", knownHosts.toString());
            p.put("igait.firebase.database-url", "https://no-such-db.invalid");
            service = TestService.start(p);
            String sid = upload("black-hole");
            assertThat(Files.exists(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json"))).isTrue();
        }
    }

    @Test
    void onlyConfigurationStopsStartUpAndItsLineNamesWhatToFix() throws Exception {
        // A misspelt option in a stage's route: the line names the route file and line.
        Path routes = tmp.resolve("routes");
        RouteCopies.copyTree(Path.of("routes"), routes);
        Path store = routes.resolve("stages/2-store.yaml");
        Files.writeString(store, Files.readString(store).replace("multiPartUpload: true", "multiPartUplod: true"));
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml,file:" + routes + "/stages/*.yaml");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestService.start(p).close())
                .hasMessageContaining("2-store.yaml:").hasMessageContaining("multiPartUplod");

        // An unreadable key file: the line names the property.
        Map<String, String> q = new LinkedHashMap<>(peers.properties());
        q.put("igait.metis.key-file", tmp.resolve("no-such-key").toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestService.start(q).close())
                .hasMessageContaining("igait.metis.key-file").hasMessageContaining("no-such-key");
    }

    /**
     * The peers' properties; with Firebase down, each of its calls waits 1 s (not 5): stage 1's first
     * attempt fails after it, and the job is seen waiting to try again.
     */
    private static Map<String, String> whileDown(List<String> down) {
        Map<String, String> p = new LinkedHashMap<>(peers.properties());
        if (down.contains("firebase")) {
            p.put("igait.firebase.timeout", "1s");
        }
        return p;
    }

    /** The job's ticket in {@code stage} has noted a failed attempt: the stage met its peer down and waits for it. */
    private void awaitRetrying(String stage, String sid) {
        Path ticket = service.dataDir().resolve("stages").resolve(stage).resolve(sid);
        await().atMost(Peers.timeout()).until(() -> StageTickets.retries(ticket) >= 1);
    }

    private String upload(String uid) {
        Path video = Videos.mp4(tmp.resolve(uid + ".mp4"), 20_000);
        return Uploads.post(service.uri("/api/v1/upload"), uid, "p@example.org", "x", video, video);
    }

    private static void stop(List<String> which) {
        for (String p : which) {
            switch (p) {
                case "firebase" -> peers.firebase.stop();
                case "s3" -> peers.s3.stop();
                case "metis" -> peers.metis.stop();
                case "mail" -> peers.mail.stop();
                default -> throw new IllegalArgumentException(p);
            }
        }
    }

    private static void start(List<String> which) {
        for (String p : which) {
            switch (p) {
                case "firebase" -> peers.firebase.start();
                case "s3" -> peers.s3.start();
                case "metis" -> peers.metis.start();
                case "mail" -> peers.mail.start();
                default -> throw new IllegalArgumentException(p);
            }
        }
    }
}
