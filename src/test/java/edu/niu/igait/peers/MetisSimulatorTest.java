package edu.niu.igait.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.dev.MetisSimulator.KeyType;
import edu.niu.igait.dev.MetisSimulator.QsubCall;
import edu.niu.igait.dev.Ports;

class MetisSimulatorTest {

    static final String QSUB = "qsub -v USER_ID=u1,JOB_ID=3 /lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs";
    static final Duration T = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    static MetisSimulator metis;
    static final Map<KeyType, Path> clientKeyFiles = new EnumMap<>(KeyType.class);
    static final Map<KeyType, KeyPair> clientKeys = new EnumMap<>(KeyType.class);

    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() {
        assertThat(MetisSimulator.ed25519Supported()).isTrue();
        metis = new MetisSimulator(dir.resolve("hostkeys"), 0).requireUser("igait");
        for (KeyType type : KeyType.values()) {
            Path file = dir.resolve("client").resolve("id_" + type.name().toLowerCase());
            clientKeys.put(type, MetisSimulator.writeClientKey(file, type, null));
            clientKeyFiles.put(type, file);
            metis.authorize(file.resolveSibling(file.getFileName() + ".pub"));
        }
        metis.start();
    }

    @AfterAll
    static void stop() {
        if (metis != null) {
            metis.stop();
        }
    }

    @AfterEach
    void reset() {
        metis.refuseAuthentication(false).failing(false).failNext(0).replyDelay(Duration.ZERO).onSubmission(null);
        metis.clearRecords();
        if (!metis.isRunning()) {
            metis.start();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void verifiesEachHostKeyTypeAgainstKnownHostsAndRunsQsub(KeyType type) throws Exception {
        Path knownHosts = metis.writeKnownHosts(dir.resolve("known_hosts_" + type), type);
        assertThat(Files.readString(knownHosts))
                .isEqualTo("[127.0.0.1]:" + metis.port() + " " + type.sshName() + " "
                        + Files.readString(dir.resolve("hostkeys").resolve("ssh_host_" + tag(type) + "_key.pub")).split(" ")[1]
                        + "\n");

        SshClient client = client(type, knownHosts, type);
        try (ClientSession session = connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(type)))) {
            assertThat(KeyUtils.compareKeys(session.getServerKey(), metis.hostKey(type))).isTrue();
            Result r = exec(session, QSUB);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).matches("\\d+\\.metis-sim\n");
            assertThat(r.err()).isEmpty();
        } finally {
            client.stop();
        }
        QsubCall call = metis.submissions().get(0);
        assertThat(call.userId()).isEqualTo("u1");
        assertThat(call.jobId()).isEqualTo("3");
        assertThat(call.script()).isEqualTo("/lstr/sahara/zwlab/jw/igait-ml-backend/pbs/igait.pbs");
        assertThat(call.sshUser()).isEqualTo("igait");
        assertThat(metis.commands()).containsExactly(QSUB);
    }

    @Test
    void anUnknownHostKeyIsRefused() throws Exception {
        MetisSimulator impostor = new MetisSimulator(dir.resolve("impostor-keys"), 0).start();
        try {
            // known_hosts holds Metis's real key for the impostor's address: the key does not match
            Path knownHosts = dir.resolve("known_hosts_impostor");
            Files.writeString(knownHosts, "[127.0.0.1]:" + impostor.port() + " "
                    + metis.knownHostsLine(KeyType.ED25519).split(" ", 2)[1] + "\n");
            SshClient client = client(KeyType.ED25519, knownHosts, KeyType.ED25519);
            try {
                assertThatThrownBy(() -> connect(client, impostor.port(), "igait",
                        KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519))))
                        .hasMessageContaining("Server key did not validate");
            } finally {
                client.stop();
            }
        } finally {
            impostor.stop();
        }
        // and a host that known_hosts does not list at all
        Path empty = Files.writeString(dir.resolve("known_hosts_empty"), "");
        SshClient client = client(KeyType.ECDSA_P256, empty, KeyType.ED25519);
        try {
            assertThatThrownBy(() -> connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519))))
                    .hasMessageContaining("Server key did not validate");
        } finally {
            client.stop();
        }
        assertThat(metis.commands()).isEmpty();
    }

    @Test
    void authenticationIsRefusedForUnknownKeysWrongUsersAndWhenSwitchedOff() throws Exception {
        Path knownHosts = metis.writeKnownHosts(dir.resolve("known_hosts_all"));
        assertThat(Files.readAllLines(knownHosts)).hasSize(3);
        KeyPair stranger = KeyType.ED25519.generate();
        SshClient client = client(KeyType.ED25519, knownHosts, KeyType.ED25519);
        try {
            assertThatThrownBy(() -> connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(stranger)))
                    .hasMessageContaining("No more authentication methods available");
            assertThatThrownBy(() -> connect(client, "root", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519))))
                    .hasMessageContaining("No more authentication methods available");
            metis.refuseAuthentication(true);
            assertThatThrownBy(() -> connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519))))
                    .hasMessageContaining("No more authentication methods available");
            metis.refuseAuthentication(false);
            connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519))).close();
        } finally {
            client.stop();
        }
    }

    @Test
    void clientKeysAreOpenSshFilesAndAnEncryptedOneLoadsWithItsPassphrase() throws Exception {
        Path plain = clientKeyFiles.get(KeyType.ED25519);
        assertThat(Files.readString(plain)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(plain)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(KeyUtils.compareKeys(MetisSimulator.readKeyPair(plain).getPublic(),
                clientKeys.get(KeyType.ED25519).getPublic())).isTrue();

        Path encrypted = dir.resolve("client").resolve("id_ecdsa_encrypted");
        KeyPair pair = MetisSimulator.writeClientKey(encrypted, KeyType.ECDSA_P256, "open sesame");
        metis.authorize(pair.getPublic());
        assertThatThrownBy(() -> MetisSimulator.readKeyPair(encrypted)).isInstanceOf(IllegalStateException.class);
        FileKeyPairProvider keys = new FileKeyPairProvider(encrypted);
        keys.setPasswordFinder(FilePasswordProvider.of("open sesame"));

        SshClient client = client(KeyType.RSA, metis.writeKnownHosts(dir.resolve("known_hosts_rsa"), KeyType.RSA),
                KeyType.ECDSA_P256);
        try (ClientSession session = connect(client, "igait", keys)) {
            assertThat(exec(session, QSUB).exit()).isZero();
        } finally {
            client.stop();
        }
    }

    @Test
    void otherCommandsFailMalformedQsubIsRefusedAndFailureModesAnswerLikePbs() throws Exception {
        List<QsubCall> heard = new CopyOnWriteArrayList<>();
        metis.onSubmission(heard::add).nextSequence(1234);
        SshClient client = client(KeyType.ED25519, metis.writeKnownHosts(dir.resolve("known_hosts_ed"), KeyType.ED25519),
                KeyType.ED25519);
        try (ClientSession session = connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519)))) {
            Result ls = exec(session, "ls -la");
            assertThat(ls.exit()).isEqualTo(127);
            assertThat(ls.err()).isEqualTo("bash: ls: command not found\n");
            assertThat(ls.out()).isEmpty();

            Result malformed = exec(session, "qsub /x.pbs");
            assertThat(malformed.exit()).isEqualTo(2);
            assertThat(malformed.err()).startsWith("usage: qsub");

            Result ok = exec(session, "qsub -v USER_ID=abc,JOB_ID=0 /x.pbs");
            assertThat(ok).isEqualTo(new Result(0, "1234.metis-sim\n", ""));

            metis.failNext(1);
            assertThat(exec(session, QSUB)).isEqualTo(new Result(1, "", "qsub: cannot connect to server\n"));
            assertThat(exec(session, QSUB)).isEqualTo(new Result(0, "1235.metis-sim\n", ""));

            metis.failing(true);
            assertThat(exec(session, QSUB).exit()).isEqualTo(1);
            assertThat(exec(session, QSUB).exit()).isEqualTo(1);
            metis.failing(false);

            metis.replyDelay(Duration.ofMillis(400));
            long t0 = System.nanoTime();
            assertThat(exec(session, QSUB).out()).isEqualTo("1236.metis-sim\n");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        } finally {
            client.stop();
        }
        assertThat(metis.commands()).hasSize(8).first().isEqualTo("ls -la");
        assertThat(metis.submissions()).extracting(QsubCall::pbsId)
                .containsExactly("1234.metis-sim", "1235.metis-sim", "1236.metis-sim");
        assertThat(heard).extracting(QsubCall::pbsId).containsExactly("1234.metis-sim", "1235.metis-sim", "1236.metis-sim");
        assertThat(heard.get(0).variables()).containsEntry("USER_ID", "abc").containsEntry("JOB_ID", "0");
    }

    @Test
    void restartsOnTheSamePortWithTheSameHostKeys() throws Exception {
        int port = metis.port();
        Path knownHosts = metis.writeKnownHosts(dir.resolve("known_hosts_restart"), KeyType.ECDSA_P256);
        metis.stop();
        assertThat(Ports.accepting(port)).isFalse();
        metis.start();
        assertThat(metis.port()).isEqualTo(port);

        // a new simulator on the same folder loads the same keys
        MetisSimulator again = new MetisSimulator(dir.resolve("hostkeys"), 0);
        for (KeyType type : KeyType.values()) {
            assertThat(KeyUtils.compareKeys(again.hostKey(type), metis.hostKey(type))).isTrue();
        }

        SshClient client = client(KeyType.ECDSA_P256, knownHosts, KeyType.RSA);
        try (ClientSession session = connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.RSA)))) {
            assertThat(exec(session, QSUB).exit()).isZero();
        } finally {
            client.stop();
        }
    }

    @Test
    void stoppingWhileAnAnswerIsHeldBackEndsTheSession() throws Exception {
        metis.replyDelay(Duration.ofSeconds(30));
        SshClient client = client(KeyType.ED25519, metis.writeKnownHosts(dir.resolve("known_hosts_held"), KeyType.ED25519),
                KeyType.ED25519);
        try (ClientSession session = connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519)));
             ChannelExec channel = session.createExecChannel(QSUB)) {
            channel.setOut(new ByteArrayOutputStream());
            channel.setErr(new ByteArrayOutputStream());
            channel.open().verify(T);
            Thread.sleep(200);
            assertThat(metis.commands()).containsExactly(QSUB);
            long t0 = System.nanoTime();
            metis.stop();
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), T);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(channel.getExitStatus()).isNull();
        } finally {
            client.stop();
        }
        assertThat(metis.submissions()).isEmpty();
    }

    @Test
    void aCommandWhoseSessionEndsBeforeTheAnswerIsAbandonedNotSubmitted() throws Exception {
        metis.replyDelay(Duration.ofSeconds(30));
        SshClient client = client(KeyType.ED25519, metis.writeKnownHosts(dir.resolve("known_hosts_gone"), KeyType.ED25519),
                KeyType.ED25519);
        try {
            ClientSession session = connect(client, "igait", KeyIdentityProvider.wrapKeyPairs(clientKeys.get(KeyType.ED25519)));
            ChannelExec channel = session.createExecChannel(QSUB);
            channel.setOut(new ByteArrayOutputStream());
            channel.setErr(new ByteArrayOutputStream());
            channel.open().verify(T);
            org.awaitility.Awaitility.await().atMost(T).until(() -> metis.commands().size() == 1);
            session.close(true); // as a killed client: the connection just goes
            org.awaitility.Awaitility.await().atMost(T).until(() -> metis.abandoned().size() == 1);
        } finally {
            client.stop();
        }
        assertThat(metis.abandoned()).containsExactly(QSUB);
        assertThat(metis.commands()).containsExactly(QSUB);
        assertThat(metis.submissions()).isEmpty();
    }

    // ---- helpers ----

    /** A client that offers only {@code hostKeyType}'s algorithms for the host key and {@code userKeyType}'s for itself. */
    static SshClient client(KeyType hostKeyType, Path knownHosts, KeyType userKeyType) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setSignatureFactories(hostKeyType.signatures());
        client.setUserAuthFactories(List.of(new UserAuthPublicKeyFactory(userKeyType.signatures())));
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        client.start();
        return client;
    }

    static ClientSession connect(SshClient client, String user, KeyIdentityProvider keys) throws Exception {
        return connect(client, metis.port(), user, keys);
    }

    static ClientSession connect(SshClient client, int port, String user, KeyIdentityProvider keys) throws Exception {
        ClientSession session = client.connect(user, Ports.LOOPBACK, port).verify(T).getSession();
        try {
            session.setKeyIdentityProvider(keys);
            session.auth().verify(T);
            return session;
        } catch (Exception e) {
            session.close(true);
            throw e;
        }
    }

    static Result exec(ClientSession session, String command) throws Exception {
        try (ChannelExec channel = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(T);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), T);
            return new Result(channel.getExitStatus(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    static String tag(KeyType type) {
        return switch (type) {
            case ECDSA_P256 -> "ecdsa";
            case ED25519 -> "ed25519";
            case RSA -> "rsa";
        };
    }
}
