package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.dev.Ports;

/**
 * The pipeline's settings with no peer running: the embedded job store, and S3, Metis and the mail
 * server on ports of 127.0.0.1 where nothing listens (a Metis key and an empty known_hosts made in
 * {@code dir}). Start-up never needs a peer, so a test of what start-up checks, or of a stage that
 * never reaches one, needs none of the real ones.
 */
public final class OfflinePeers {

    private OfflinePeers() {
    }

    public static Map<String, String> properties(Path dir) {
        try {
            Files.createDirectories(dir);
            Path key = dir.resolve("metis_key");
            if (!Files.exists(key)) {
                MetisSimulator.writeClientKey(key, MetisSimulator.KeyType.ED25519, null);
            }
            // A host key for the port nothing listens on (any key: the service never gets to see one).
            int metisPort = Ports.freePort();
            Path hostKey = dir.resolve("metis_host_key");
            if (!Files.exists(hostKey)) {
                MetisSimulator.writeClientKey(hostKey, MetisSimulator.KeyType.ED25519, null);
            }
            String[] pub = Files.readString(Path.of(hostKey + ".pub")).trim().split(" ");
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + metisPort + " " + pub[0] + " " + pub[1] + "\n");
            Map<String, String> p = new LinkedHashMap<>();
            p.put("igait.pipeline.enabled", "true");
            p.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml");
            p.put("igait.store", "local");
            p.put("igait.s3.endpoint", "http://127.0.0.1:" + Ports.freePort());
            p.put("igait.s3.path-style", "true");
            p.put("igait.metis.host", "127.0.0.1");
            p.put("igait.metis.port", Integer.toString(metisPort));
            p.put("igait.metis.key-file", key.toString());
            p.put("igait.metis.known-hosts", knownHosts.toString());
            p.put("igait.mail.host", "127.0.0.1");
            p.put("igait.mail.port", Integer.toString(Ports.freePort()));
            p.put("igait.mail.security", "none");
            p.put("igait.mail.from", Peers.FROM);
            p.put("igait.stage.poll-delay-ms", "100");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
