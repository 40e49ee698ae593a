package edu.niu.igait.dev;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * An S3-compatible server on 127.0.0.1: S3Proxy 4.1.0 run as its own JVM process from its
 * {@code jar-with-dependencies} (the build copies it to {@code target/peers/s3proxy.jar} in
 * {@code generate-resources}). It runs apart because its Jackson and AWS SDK clash with ours.
 *
 * <p>Layout under the work folder given: {@code data/} holds the buckets (backend
 * {@code filesystem-nio2}, one folder per bucket, one file per object), {@code s3proxy.properties}
 * its configuration, {@code s3proxy.log} its output (appended across restarts).
 *
 * <p>What it is configured with (property names checked in
 * {@code org.gaul.s3proxy.S3ProxyConstants} of 4.1.0):
 * <pre>
 * s3proxy.endpoint=http://127.0.0.1:PORT
 * s3proxy.authorization=aws-v2-or-v4         (header and query (presigned) signatures, V2 and V4)
 * s3proxy.identity=local-access-key
 * s3proxy.credential=local-secret-key
 * jclouds.provider=filesystem-nio2
 * jclouds.filesystem.basedir=WORK/data
 * </pre>
 * Path-style addressing only ({@code s3proxy.virtual-host} is not set), so clients need
 * {@code forcePathStyle(true)} and the endpoint {@code http://127.0.0.1:PORT}. Any region is accepted
 * in signatures. SigV4 presigned GET URLs work; a tampered {@code X-Amz-Signature} gets 403.
 *
 * <p>The child JVM runs with C1 only and the serial GC: start-up to accepting connections takes about
 * 1.5 s here instead of 2.5 s. {@link #stop()} sends SIGTERM (S3Proxy shuts Jetty down cleanly), and
 * SIGKILL after 10 s. A JVM shutdown hook kills a process that was never stopped, and the child runs
 * under {@link ParentWatch}, which ends it when this JVM dies without running hooks (SIGKILL, OOM killer):
 * the next start finds the port free.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";
    public static final Path DEFAULT_JAR = Path.of("target", "peers", "s3proxy.jar");
    /** The region clients sign with; S3Proxy accepts any. */
    public static final Region REGION = Region.US_EAST_2;
    static final String MAIN_CLASS = "org.gaul.s3proxy.Main";

    private final Path jar;
    private final Path workDir;
    private int port;
    private Duration startTimeout = Duration.ofSeconds(30);
    private Process process;
    private Thread shutdownHook;

    /** S3Proxy from {@link #DEFAULT_JAR} on {@code port} (0: a free port chosen at the first start, kept on restarts). */
    public S3ProxyServer(Path workDir, int port) {
        this(DEFAULT_JAR, workDir, port);
    }

    public S3ProxyServer(Path jar, Path workDir, int port) {
        this.jar = jar.toAbsolutePath();
        this.workDir = workDir.toAbsolutePath();
        this.port = port;
    }

    /** How long {@link #start()} waits for S3Proxy to accept connections (default 30 s: about 1.5 s is usual). */
    public S3ProxyServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** Starts the process and returns once it accepts connections. Starting a running server does nothing. */
    public synchronized S3ProxyServer start() {
        if (isRunning()) {
            return this;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar
                    + " (run `mvn generate-test-resources`, which copies org.gaul:s3proxy:jar-with-dependencies there)");
        }
        if (port == 0) {
            port = Ports.freePort();
        }
        Ports.requireFree(port, "S3Proxy");
        try {
            Files.createDirectories(dataDir());
            Path properties = workDir.resolve("s3proxy.properties");
            writeProperties(properties);
            Path log = logFile();
            Files.writeString(log, "---- starting S3Proxy on " + endpoint() + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            // Started through ParentWatch: S3Proxy ends with this JVM even when it is killed with
            // SIGKILL (no shutdown hook runs then), so a restart finds its port free.
            Path launcher = writeLauncher();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                    "-cp", launcher + File.pathSeparator + jar,
                    ParentWatch.class.getName(), MAIN_CLASS,
                    "--properties", properties.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            process = builder.start();
            // stdin stays open and unwritten: ParentWatch ends S3Proxy when it closes.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy in " + workDir, e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> kill(started), "s3proxy-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitAccepting();
        return this;
    }

    private void awaitAccepting() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                cleanUpAfterStop();
                throw new IllegalStateException("S3Proxy exited with " + exit + " before accepting connections on "
                        + endpoint() + "; the end of " + logFile() + ":\n" + tail());
            }
            if (Ports.accepting(port)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("S3Proxy did not accept connections on " + endpoint() + " within "
                        + startTimeout.toMillis() + " ms; the end of " + logFile() + ":\n" + tail());
            }
            Ports.sleep(50);
        }
    }

    private void writeProperties(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", endpoint().toString());
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", ACCESS_KEY);
        p.setProperty("s3proxy.credential", SECRET_KEY);
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.filesystem.basedir", dataDir().toString());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "written by " + S3ProxyServer.class.getName());
        }
    }

    /** Copies {@link ParentWatch} (JDK only) into {@code WORK/launcher/} for the child's class path. */
    private Path writeLauncher() throws IOException {
        Path root = workDir.resolve("launcher");
        String resource = ParentWatch.class.getName().replace('.', '/') + ".class";
        Path target = root.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = ParentWatch.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("cannot find " + resource + " on the class path");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return root;
    }

    /** The last lines S3Proxy printed. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    /** Stops the process (and any it started) and waits for it to end. Stopping a stopped server does nothing. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        kill(process);
        cleanUpAfterStop();
        Ports.awaitClosed(port, Duration.ofSeconds(5));
    }

    private void cleanUpAfterStop() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or will run; nothing to remove
            }
            shutdownHook = null;
        }
        process = null;
    }

    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The port, known once started (or given). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port);
    }

    /** Where the buckets live: {@code WORK/data/<bucket>/<key>}. */
    public Path dataDir() {
        return workDir.resolve("data");
    }

    public Path logFile() {
        return workDir.resolve("s3proxy.log");
    }

    /** A new client for this server (path style, static credentials, region us-east-2); the caller closes it. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(REGION)
                .credentialsProvider(credentials())
                .build();
    }

    /** A new presigner for this server (path style); the caller closes it. */
    public S3Presigner presigner() {
        return S3Presigner.builder()
                .endpointOverride(endpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .region(REGION)
                .credentialsProvider(credentials())
                .build();
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** Creates the bucket unless it exists. */
    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // idempotent
        }
    }
}
