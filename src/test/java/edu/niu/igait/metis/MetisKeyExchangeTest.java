package edu.niu.igait.metis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.dev.MetisSimulator.KeyType;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Metis client's key exchange: the post-quantum hybrid ML-KEM first (a tenth of sntrup761's CPU in
 * Java), the same algorithms as MINA's defaults otherwise; a server without ML-KEM still gets one it
 * has (OpenSshMetisTest logs in to Debian's OpenSSH 9.2, which has none).
 */
class MetisKeyExchangeTest {

    @TempDir
    Path dir;

    @Test
    void mlKemIsAvailableAndAskedForFirstWithTheSameAlgorithmsAsBefore() {
        // Bouncy Castle at the line MINA is built against: with camel-ssh's own (1.83) ML-KEM is left out.
        assertThat(BuiltinDHFactories.mlkem768x25519.isSupported()).isTrue();
        SshClient plain = SshClient.setUpDefaultClient();
        SshClient ours = MetisSsh.clientBuilder(knownHostsFile().toString(), "metis.example.org", 22, Duration.ofSeconds(10)).build(true);
        List<String> before = NamedResource.getNameList(plain.getKeyExchangeFactories());
        List<String> after = NamedResource.getNameList(ours.getKeyExchangeFactories());
        assertThat(after.get(0)).isEqualTo("mlkem768x25519-sha256");
        assertThat(after).containsExactlyInAnyOrderElementsOf(before);
        assertThat(after.subList(1, after.size())).isEqualTo(before.stream().filter(n -> !n.equals("mlkem768x25519-sha256")).toList());
    }

    @Test
    void aServerWithMlKemNegotiatesIt() throws Exception {
        Path keyFile = dir.resolve("client").resolve("id_ed25519");
        KeyPair key = MetisSimulator.writeClientKey(keyFile, KeyType.ED25519, null);
        try (MetisSimulator metis = new MetisSimulator(dir.resolve("hostkeys"), 0)) {
            metis.authorize(keyFile.resolveSibling("id_ed25519.pub")).start();
            Path knownHosts = metis.writeKnownHosts(dir.resolve("known_hosts"));
            SshClient client = MetisSsh.clientBuilder(knownHosts.toString(), "127.0.0.1", metis.port(), Duration.ofSeconds(10)).build(true);
            client.start();
            try (ClientSession session = client.connect("igait", "127.0.0.1", metis.port()).verify(10_000).getSession()) {
                session.addPublicKeyIdentity(key);
                session.auth().verify(10_000);
                assertThat(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS)).isEqualTo("mlkem768x25519-sha256");
            } finally {
                client.stop();
            }
        }
    }

    private Path knownHostsFile() {
        try {
            Path file = dir.resolve("known_hosts_one");
            KeyPair host = KeyType.ED25519.generate();
            java.nio.file.Files.writeString(file, "metis.example.org "
                    + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(host.getPublic()) + "\n");
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
