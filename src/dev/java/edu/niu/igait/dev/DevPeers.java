package edu.niu.igait.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import edu.niu.igait.app.IgaitMain;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.logging.Subsystem;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The dev run's local stand-ins, started before the pipeline's beans need them ({@link DevRun} has
 * IgaitMain add this configuration ahead of the service's own) and stopped with the
 * service: S3Proxy (its own JVM, files under {@code data/dev/s3}), an SMTP server keeping every mail
 * as {@code data/dev/mail/<n>.eml}, and a Metis simulator on SSH that completes jobs through
 * {@code /api/v1/completion}. The service reaches them through its normal {@code igait.*} properties
 * ({@code application-dev.properties}); this class only makes them real: it generates the Metis
 * client key and known_hosts on the first run, and hands the S3 credentials to the AWS default chain
 * (system properties {@code aws.accessKeyId} / {@code aws.secretAccessKey}, which come first in it).
 *
 * <p>Binds {@code devMail}, {@code devMetis} and {@code devDb} for the dev views ({@code dev-routes/dev.yaml}), and
 * prints one banner with every URL and credential once the service answers.
 */
public class DevPeers implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DevPeers.class);
    static final String KNOWN_HOSTS_MARK = "# written by the iGait dev run (edu.niu.igait.dev.DevPeers) for the Metis simulator;"
            + " rewritten at each start";

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        String serverHost = settings.get("camel.server.host");
        if (!isLoopback(serverHost)) {
            throw new StartupException("the dev profile serves on 127.0.0.1 only (its credentials are printed and well known):"
                    + " camel.server.host is '" + serverHost + "'; remove the override or set it to 127.0.0.1");
        }
        int apiPort = settings.intValue("camel.server.port");
        Path dataDir = Path.of(settings.get("igait.data-dir"));
        Path devDir = Path.of(settings.get("igait.dev.dir"));
        // Every port the dev run will listen on, checked before any stand-in starts: a taken one stops it
        // at once, naming the setting, instead of after S3Proxy and the others have come up.
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("camel.server.port", apiPort);
        if (settings.bool("camel.management.enabled")) {
            ports.put("camel.management.port", settings.intValue("camel.management.port"));
        }
        ports.put("igait.dev.s3-port", settings.intValue("igait.dev.s3-port"));
        ports.put("igait.dev.smtp-port", settings.intValue("igait.dev.smtp-port"));
        ports.put("igait.dev.ssh-port", settings.intValue("igait.dev.ssh-port"));
        checkPorts(ports);
        Duration metisDelay = settings.duration("igait.dev.metis-delay");
        String metisResult = settings.get("igait.dev.metis-result").toUpperCase(Locale.ROOT);
        if (!metisResult.equals("OK") && !metisResult.equals("ERR")) {
            throw new StartupException("igait.dev.metis-result must be OK or ERR, got '" + metisResult + "'");
        }
        String bucket = settings.get("igait.s3.bucket");
        String accessKey = settings.secret("IGAIT_ACCESS_KEY", "igait.access-key").orElseThrow(() -> new StartupException(
                "igait.access-key is required in the dev profile: the key the Metis simulator presents to /api/v1/completion"));
        URI completionUrl = uri("igait.dev.completion-url",
                settings.get("igait.dev.completion-url"));
        Path keyFile = Path.of(settings.required("igait.metis.key-file", "where the dev run keeps the client key it makes for Metis"));
        Path knownHosts = Path.of(settings.required("igait.metis.known-hosts", "where the dev run writes the simulator's host keys"));
        String sshUser = settings.get("igait.metis.user");

        Deque<AutoCloseable> started = new ArrayDeque<>();
        long t0 = System.nanoTime();
        try {
            S3ProxyServer s3 = new S3ProxyServer(s3ProxyJar(settings), devDir.resolve("s3"), ports.get("igait.dev.s3-port"));
            s3.start();
            started.push(s3);
            s3.createBucket(bucket);
            // The service's S3 client and presigner take the AWS default chain: system properties come first in it.
            System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
            System.clearProperty("aws.sessionToken");

            MailServer mail = new MailServer(ports.get("igait.dev.smtp-port")).saveTo(devDir.resolve("mail")).start();
            started.push(mail);

            Path publicKey = clientKey(keyFile);
            S3Client metisS3 = s3.client();
            started.push(metisS3);
            DevMetis devMetis = new DevMetis(devDir.resolve("metis").resolve("jobs"), metisS3, bucket, metisDelay, metisResult,
                    completionUrl, accessKey);
            started.push(devMetis);
            MetisSimulator metis = new MetisSimulator(devDir.resolve("metis").resolve("host-keys"), ports.get("igait.dev.ssh-port"))
                    .authorize(publicKey)
                    .requireUser(sshUser)
                    .nextSequence(devMetis.nextSequence())
                    .onQueued(devMetis::submitted)
                    .start();
            started.push(metis);
            writeKnownHosts(metis, knownHosts);

            DevTokens tokens = devTokens(settings, devDir);
            context.getRegistry().bind("devTokens", tokens);
            context.getRegistry().bind("devMail", new DevMail(devDir.resolve("mail")));
            context.getRegistry().bind("devMetis", devMetis);
            context.getRegistry().bind("devDb", new DevDb(context));
            LOG.info(Subsystem.DEV, "dev peers up in {} ms: S3Proxy {}, SMTP {}:{}, Metis simulator {}:{}",
                    (System.nanoTime() - t0) / 1_000_000, s3.endpoint(), mail.host(), mail.port(), metis.host(), metis.port());

            Deque<AutoCloseable> toStop = new ArrayDeque<>(started);
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    closeAll(toStop);
                }
            }, true, true);
            Banner banner = new Banner(settings, serverHost, apiPort, s3, mail, metis, bucket, accessKey, keyFile, knownHosts,
                    sshUser, metisDelay, metisResult, devDir, tokens);
            context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
                @Override
                public boolean isEnabled(CamelEvent event) {
                    return event instanceof CamelEvent.CamelContextStartedEvent;
                }

                @Override
                public void notify(CamelEvent event) {
                    devMetis.resume();
                    // After Camel's own start-up summaries, which follow this event: the banner comes last.
                    Thread print = new Thread(() -> {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        System.out.println(banner.text());
                        System.out.flush();
                    }, "dev-banner");
                    print.setDaemon(true);
                    print.start();
                }
            });
        } catch (StartupException e) {
            closeAll(started);
            throw e;
        } catch (Exception e) {
            closeAll(started);
            throw new StartupException("the dev peers could not start: " + StartupException.describe(e), e);
        }
    }

    /**
     * The dev run's token signer (its key made on the first run under data/dev/auth). The service checks
     * the tokens as in production when igait.auth.keys-url is its JWKS file (application-dev.properties).
     */
    private static DevTokens devTokens(Settings settings, Path devDir) {
        DevTokens tokens = DevTokens.loadOrCreate(devDir.resolve("auth"), settings.get("igait.auth.project-id"),
                settings.duration("igait.dev.token-validity"));
        String mode = settings.get("igait.auth.mode");
        String keysUrl = settings.get("igait.auth.keys-url");
        Path jwks = tokens.jwks().toAbsolutePath().normalize();
        boolean ours = keysUrl.startsWith("file:") && (Path.of(keysUrl.substring("file:".length()).replaceFirst("^//", ""))
                .toAbsolutePath().normalize().equals(jwks));
        if (mode.equals("firebase") && !ours) {
            LOG.warn(Subsystem.DEV, "igait.auth.keys-url is {}, not the dev run's {}: tokens from /dev/token will be refused", keysUrl,
                    "file:" + jwks);
        }
        return tokens;
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable c = resources.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn(Subsystem.DEV, "stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Each port in range, none twice, none taken on 127.0.0.1 (the API's and the management port may be 0: any free one). */
    static void checkPorts(Map<String, Integer> ports) {
        Map<Integer, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            int port = e.getValue();
            boolean any = port == 0 && e.getKey().startsWith("camel.");
            if (any) {
                continue;
            }
            if (port < 1 || port > 65535) {
                throw new StartupException(e.getKey() + " must be a port from 1 to 65535, got " + port);
            }
            String other = seen.putIfAbsent(port, e.getKey());
            if (other != null) {
                throw new StartupException(e.getKey() + " and " + other + " are both " + port + ": give each its own port");
            }
            if (Ports.accepting(port)) {
                throw new StartupException(e.getKey() + " " + port + " on 127.0.0.1 is taken (another dev run?): stop what uses it"
                        + " or choose another port with -D" + e.getKey() + "=... in -Ddev.args");
            }
        }
    }

    /**
     * S3Proxy's jar: {@code igait.dev.s3proxy-jar}, else {@code peers/s3proxy.jar} beside the folder of
     * these classes ({@code target/test-classes}), else {@code target/peers/s3proxy.jar} under the working directory.
     */
    static Path s3ProxyJar(Settings settings) {
        Optional<String> configured = settings.optional("igait.dev.s3proxy-jar");
        if (configured.isPresent()) {
            Path jar = Path.of(configured.get());
            if (!Files.isRegularFile(jar)) {
                throw new StartupException("igait.dev.s3proxy-jar " + jar.toAbsolutePath() + " does not exist");
            }
            return jar;
        }
        try {
            Path code = Path.of(DevPeers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path beside = code.toAbsolutePath().getParent().resolve("peers").resolve("s3proxy.jar");
            if (Files.isRegularFile(beside)) {
                return beside;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source: fall back to the working directory
        }
        Path jar = S3ProxyServer.DEFAULT_JAR.toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new StartupException("S3Proxy not found at " + jar + ": start the dev run with `" + IgaitMain.DEV_RUN
                    + "`, whose build copies it to target/peers/s3proxy.jar, or set igait.dev.s3proxy-jar");
        }
        return jar;
    }

    /** The client key the service logs in to the simulator with: generated on the first run; returns its .pub. */
    private static Path clientKey(Path keyFile) {
        Path publicKey = keyFile.resolveSibling(keyFile.getFileName() + ".pub");
        if (!Files.exists(keyFile)) {
            MetisSimulator.writeClientKey(keyFile, MetisSimulator.KeyType.ED25519, null);
            LOG.info(Subsystem.DEV, "made the Metis client key {} (first run)", keyFile);
        } else if (!Files.isRegularFile(publicKey)) {
            throw new StartupException("igait.metis.key-file " + keyFile + " has no " + publicKey.getFileName()
                    + " beside it: the Metis simulator trusts the key in that file (delete both to make a new pair)");
        }
        return publicKey;
    }

    /** known_hosts for the simulator's host keys on its port; never overwrites a file the dev run did not write. */
    private static void writeKnownHosts(MetisSimulator metis, Path file) throws IOException {
        if (Files.exists(file)) {
            String existing = Files.readString(file, StandardCharsets.UTF_8);
            if (!existing.startsWith(KNOWN_HOSTS_MARK)) {
                throw new StartupException("igait.metis.known-hosts " + file.toAbsolutePath() + " was not written by the dev run:"
                        + " it is never overwritten; point igait.metis.known-hosts at a file under data/dev/");
            }
        }
        StringBuilder text = new StringBuilder(KNOWN_HOSTS_MARK).append('\n');
        for (MetisSimulator.KeyType type : MetisSimulator.KeyType.values()) {
            text.append(metis.knownHostsLine(type)).append('\n');
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static URI uri(String name, String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new URISyntaxException(text, "no scheme or host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new StartupException(name + " must be a URL such as http://127.0.0.1:8080/api/v1/completion, got '" + text + "'");
        }
    }

    /** The one block a person needs to use the dev run. */
    private record Banner(Settings settings, String host, int apiPort, S3ProxyServer s3, MailServer mail, MetisSimulator metis,
                          String bucket, String accessKey, Path keyFile, Path knownHosts, String sshUser, Duration metisDelay,
                          String metisResult, Path devDir, DevTokens tokens) {

        /** The management port's base URL (health and metrics), as camel.management.* set it. */
        String management() {
            return "http://" + settings.get("camel.management.host") + ":" + settings.get("camel.management.port");
        }

        String text() {
            String api = "http://" + host + ":" + apiPort;
            boolean keyFromEnv = System.getenv("IGAIT_ACCESS_KEY") != null && !System.getenv("IGAIT_ACCESS_KEY").isBlank();
            String completes = metisDelay.isZero() ? "never completes (igait.dev.metis-delay=0)"
                    : "completes " + metisDelay.toMillis() / 1000.0 + " s after qsub with "
                    + (metisResult.equals("OK") ? "OK and a random score" : "ERR");
            String line = "=".repeat(100);
            return String.join("\n",
                    "",
                    line,
                    " iGait dev run: the whole system on this machine, on 127.0.0.1 only. Local stand-ins, never production.",
                    line,
                    " API            " + api + "/api/v1/upload            (POST, multipart; served on " + host
                            + " only, whatever Camel's summary above says)",
                    "                " + api + "/api/v1/submissions/<id>  (where a submission stands)",
                    "                " + api + "/api/v1/submissions       (the caller's submissions; <id>/files: links to its videos)",
                    "                " + api + "/api/v1/historical_submissions   (POST, a form: the history by mail, with a PDF)",
                    "                " + api + "/api/v1/contribute   (POST, multipart: videos for the research study, with consents)",
                    "                " + api + "/api/v1/contributions/<id>   (GET where it stands, DELETE to withdraw it)",
                    "                " + api + "/api/v1/health",
                    " Sign-in        " + api + "/dev/token?uid=demo-parent   a Firebase-style ID token (project "
                            + tokens.project() + ", " + settings.get("igait.dev.token-validity") + "); send it as",
                    "                Authorization: Bearer <token>   (igait.auth.mode=" + settings.get("igait.auth.mode")
                            + "; dev signing key under " + devDir.resolve("auth") + ")",
                    " Management     " + management() + "/observe/health/live   (liveness)",
                    "                " + management() + "/observe/health/ready  (readiness: data folder, free disk, routes)",
                    "                " + management() + "/observe/health?data=true   (every check; each peer UP or DOWN with its error)",
                    "                " + management() + "/observe/metrics   (Prometheus: igait_*, Camel's, the JVM's)",
                    " Completion     " + api + "/api/v1/completion        (POST; what the Metis simulator calls)",
                    "   access key   " + (keyFromEnv ? "(from env IGAIT_ACCESS_KEY)" : accessKey)
                            + "   (form field igait_access_key, or Authorization: Bearer)",
                    " S3             " + s3.endpoint() + "   path-style, region " + settings.get("igait.s3.region")
                            + ", bucket " + bucket,
                    "   credentials  access key " + S3ProxyServer.ACCESS_KEY + "   secret key " + S3ProxyServer.SECRET_KEY,
                    "   files        " + s3.dataDir().resolve(bucket),
                    " SMTP           " + mail.host() + ":" + mail.port() + "   no TLS, any login accepted; every mail kept in "
                            + devDir.resolve("mail") + "/<n>.eml",
                    " Mails          " + api + "/dev/mail   (raw message: /dev/mail/<n>)",
                    " Metis (SSH)    " + metis.host() + ":" + metis.port() + "   user " + sshUser + ", key " + keyFile
                            + ", known_hosts " + knownHosts,
                    "   a job        " + completes,
                    " Submissions    " + api + "/dev/metis",
                    " Job store      " + api + "/dev/db/users/<uid>   (local store: " + settings.get("igait.local-store.dir") + ")",
                    "                " + api + "/dev/db/contributions/<uid>/<id>   (a research contribution's record)",
                    " Data           " + settings.get("igait.data-dir") + "/ (jobs, stages, done, failed)   dev peers: "
                            + devDir + "/",
                    line,
                    "");
        }
    }
}
