package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.firebase.internal.FirebaseProcessEnvironment;

import edu.niu.igait.dev.MailServer;
import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.dev.S3ProxyServer;
import edu.niu.igait.peers.FirebaseServer;

/**
 * The four real peers of the pipeline on 127.0.0.1 (S3Proxy, GreenMail SMTP, a MINA SSHD Metis,
 * firebase-server), and the properties and environment that point the service at them.
 */
public final class Peers implements AutoCloseable {

    public static final String BUCKET = "igait-test";
    public static final String OPERATOR = "ops@igait.test";
    public static final String FROM = "igait@igait.test";
    public static final String DATABASE_URL = "https://igait-test-default-rtdb.firebaseio.com";

    public final Path dir;
    public final S3ProxyServer s3;
    public final MailServer mail;
    public final MetisSimulator metis;
    public final FirebaseServer firebase;
    public final Path clientKey;
    public final Path knownHosts;

    private Peers(Path dir) {
        this.dir = dir;
        this.s3 = new S3ProxyServer(dir.resolve("s3"), 0).start();
        this.s3.createBucket(BUCKET);
        this.mail = new MailServer(0).start();
        this.clientKey = dir.resolve("metis_client_key");
        MetisSimulator.writeClientKey(clientKey, MetisSimulator.KeyType.ED25519, null);
        this.metis = new MetisSimulator(dir.resolve("metis-host-keys"), 0).authorize(Path.of(clientKey + ".pub")).start();
        this.knownHosts = metis.writeKnownHosts(dir.resolve("known_hosts"),
                MetisSimulator.KeyType.ECDSA_P256, MetisSimulator.KeyType.ED25519, MetisSimulator.KeyType.RSA);
        this.firebase = new FirebaseServer(0).start();
    }

    public static Peers start() {
        try {
            return new Peers(Files.createTempDirectory("igait-peers-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The service's properties for these peers, with quick retries for tests. */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.pipeline.enabled", "true");
        p.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml,file:routes/contribute/*.yaml");
        p.put("igait.store", "firebase");
        p.put("igait.firebase.database-url", DATABASE_URL);
        p.put("igait.firebase.timeout", "5s");
        p.put("igait.s3.bucket", BUCKET);
        p.put("igait.s3.region", "us-east-2");
        p.put("igait.s3.endpoint", s3.endpoint().toString());
        p.put("igait.s3.path-style", "true");
        p.put("igait.metis.host", "127.0.0.1");
        p.put("igait.metis.port", Integer.toString(metis.port()));
        p.put("igait.metis.user", "igait");
        p.put("igait.metis.key-file", clientKey.toString());
        p.put("igait.metis.known-hosts", knownHosts.toString());
        p.put("igait.metis.command-timeout", "20s");
        p.put("igait.metis.connect-timeout-ms", "5000");
        p.put("igait.mail.host", "127.0.0.1");
        p.put("igait.mail.port", Integer.toString(mail.port()));
        p.put("igait.mail.security", "none");
        p.put("igait.mail.from", FROM);
        p.put("igait.mail.operator", OPERATOR);
        p.put("igait.alerts.delay", "1s");
        p.put("igait.mail.timeout", "5s");
        p.put("igait.stage.poll-delay-ms", "100");
        p.put("igait.retry.initial-delay-ms", "200");
        p.put("igait.retry.max-delay-ms", "1000");
        return p;
    }

    /** The environment a service process needs (credentials and the emulator host). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("FIREBASE_DATABASE_EMULATOR_HOST", firebase.emulatorHost());
        return env;
    }

    /** The same for a service in this JVM: AWS system properties and the SDK's environment override. */
    public void applyToThisJvm() {
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        FirebaseProcessEnvironment.setenv("FIREBASE_DATABASE_EMULATOR_HOST", firebase.emulatorHost());
    }

    /** {@code users/<uid>} as the Realtime Database holds it (read over its REST API). */
    public JsonNode user(String uid) {
        try {
            return Http.json(firebase.get("users/" + uid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<jakarta.mail.internet.MimeMessage> mailsTo(String address) {
        return mail.messages().stream().filter(m -> {
            try {
                return m.getAllRecipients() != null && java.util.Arrays.stream(m.getAllRecipients())
                        .anyMatch(a -> a.toString().contains(address));
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).toList();
    }

    /** Every peer running, empty and well-behaved again, whatever a test did to it. */
    public void reset() throws IOException {
        if (!s3.isRunning()) {
            s3.start();
        }
        if (!mail.isRunning()) {
            mail.start();
        }
        if (!firebase.isRunning()) {
            firebase.start();
        }
        metis.refuseAuthentication(false).failing(false).failNext(0).replyDelay(Duration.ZERO).submitBeforeReply(false).dropHandshakes(0);
        if (!metis.isRunning()) {
            metis.start();
        }
        mail.clear();
        metis.clearRecords();
        firebase.delete("");
    }

    public static Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    public void close() {
        FirebaseProcessEnvironment.clearCache();
        for (AutoCloseable c : new AutoCloseable[] {firebase, metis, mail, s3}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the next peer still gets stopped
            }
        }
    }
}
