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

    @ParameterizedTest
    @ValueSource(strings = {"firebase", "s3", "metis", "mail"})
    void startsWithOnePeerDownTakesUploadsAndFinishesThemWhenItIsBack(String peer) throws Exception {
        stop(List.of(peer));
        service = TestService.start(peers.properties());
        String sid = upload("down-" + peer);
        Thread.sleep(2000);
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
        service = TestService.start(peers.properties());
        String sid = upload("all-down");
        Thread.sleep(2000);
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
