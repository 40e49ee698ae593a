package edu.niu.igait.support;

import edu.niu.igait.dev.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a separate JVM, as operators run it: {@code java -Xmx256m -cp <test classpath>
 * edu.niu.igait.App} (or another main class) with {@code -D} properties and extra environment variables, in the project
 * folder (or another working directory), all output in a log file under {@code target/service-logs/}.
 * For what one JVM cannot show: a kill -9, an exit code, the one line start-up prints when it fails.
 * The JVM starts quickly ({@link ServiceJvm}: a class-data archive, C1 only) unless {@link Jvm#PLAIN} is asked for.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);
    /** The production main class, as the jar's manifest names it. */
    public static final String APP = "edu.niu.igait.App";

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path dataDir;
    private final Path log;
    private final boolean ownDataDir;

    private ServiceProcess(Process process, int port, int managementPort, Path dataDir, boolean ownDataDir, Path log) {
        this.process = process;
        this.managementPort = managementPort;
        this.ownDataDir = ownDataDir;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** In the project folder, with the given properties (igait.data-dir and camel.server.port chosen unless given). */
    public static ServiceProcess start(Map<String, String> properties) {
        return start(Path.of("").toAbsolutePath(), properties, Map.of());
    }

    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment) {
        return start(Path.of("").toAbsolutePath(), properties, environment);
    }

    /**
     * Starts the JVM and returns at once; {@link #awaitHealthy()} waits for HTTP, {@link #awaitExit}
     * for a start-up failure.
     */
    public static ServiceProcess start(Path workingDir, Map<String, String> properties, Map<String, String> environment) {
        return start(workingDir, properties, environment, APP);
    }

    /** As above, with another main class on the same class path (the dev run's {@code edu.niu.igait.dev.DevRun}). */
    public static ServiceProcess start(Path workingDir, Map<String, String> properties, Map<String, String> environment,
                                       String mainClass) {
        return start(workingDir, properties, environment, mainClass, Jvm.QUICK);
    }

    /** How the service's JVM is started. */
    public enum Jvm {
        /** For the tests: {@link ServiceJvm}'s class-data archive and C1 only; the service does the same, sooner. */
        QUICK,
        /** {@code java -Xmx256m -cp <test classpath>} and nothing more: for the benchmarks, which measure the service's speed. */
        PLAIN
    }

    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment, Jvm jvm) {
        return start(Path.of("").toAbsolutePath(), properties, environment, APP, jvm);
    }

    public static ServiceProcess start(Path workingDir, Map<String, String> properties, Map<String, String> environment,
                                       String mainClass, Jvm jvm) {
        return start(workingDir, properties, environment, mainClass, jvm, false, null);
    }

    /**
     * As above, the JVM started by a shell that waits for it ({@code sh -c 'java ...; exit $?'}), as
     * Maven's exec:exec starts the dev run: {@link #kill()} kills the shell, and leaves the JVM an orphan.
     */
    public static ServiceProcess startUnderAShell(Path workingDir, Map<String, String> properties, Map<String, String> environment,
                                                  String mainClass) {
        return start(workingDir, properties, environment, mainClass, Jvm.QUICK, true, null);
    }

    /** In the project folder, the JVM started by a shell with this umask (e.g. {@code 000}: anyone may read what is made). */
    public static ServiceProcess startWithUmask(String umask, Map<String, String> properties) {
        return start(Path.of("").toAbsolutePath(), properties, Map.of(), APP, Jvm.QUICK, false, umask);
    }

    private static ServiceProcess start(Path workingDir, Map<String, String> properties, Map<String, String> environment,
                                        String mainClass, Jvm jvm, boolean underAShell, String umask) {
        ServiceJvm.Launch launch = jvm == Jvm.QUICK ? ServiceJvm.quick(classPath()) : new ServiceJvm.Launch(classPath(), List.of());
        return launch(workingDir, properties, environment, mainClass, launch.classPath(), launch.options(), underAShell, umask);
    }

    /** Starts {@code mainClass} on the given class path with the given JVM options before the properties. */
    static ServiceProcess launch(Path workingDir, Map<String, String> properties, Map<String, String> environment,
                                 String mainClass, String classPath, List<String> jvmOptions, boolean underAShell, String umask) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("camel.server.host", "127.0.0.1");
        props.put("camel.management.host", "127.0.0.1");
        props.putAll(properties);
        // Tests that are not about sign-in or limits upload freely: no token, no window to run out of. The dev run
        // signs its own tokens (/dev/token): its profile decides.
        if (!mainClass.equals("edu.niu.igait.dev.DevRun")) {
            props.putIfAbsent("igait.auth.mode", "none");
        }
        props.putIfAbsent("igait.limits.per-user", "1000000/1h");
        props.putIfAbsent("igait.limits.per-address", "1000000/1h");
        // Nor a cap on uploads at once from one uid or address: the tests all come from 127.0.0.1 (the caps'
        // own tests set them, or come from many addresses).
        props.putIfAbsent("igait.limits.concurrent-uploads-per-user", "1000");
        props.putIfAbsent("igait.limits.concurrent-uploads-per-address", "1000");
        if (!props.containsKey("igait.pipeline.enabled")) {
            props.put("igait.pipeline.enabled", "false");
            props.put("camel.main.routes-include-pattern", TestService.INTAKE_ONLY_ROUTES);
        }
        boolean ownDataDir = !props.containsKey("igait.data-dir");
        try {
            if (ownDataDir) {
                props.put("igait.data-dir", Files.createTempDirectory("igait-data-").toString());
            }
            if (!props.containsKey("camel.server.port")) {
                props.put("camel.server.port", Integer.toString(Ports.freePort()));
            }
            if (!props.containsKey("camel.management.port")) {
                props.put("camel.management.port", Integer.toString(Ports.freePort()));
            }
            Path logs = Path.of("target", "service-logs").toAbsolutePath();
            Files.createDirectories(logs);
            Path log = Files.createTempFile(logs, "service-", ".log");

            List<String> command = new ArrayList<>();
            if (umask != null) {
                command.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\""));
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.addAll(jvmOptions);
            props.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
            if (underAShell) {
                command.addAll(0, List.of("sh", "-c", "\"$@\"; exit $?", "sh"));
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new ServiceProcess(process, Integer.parseInt(props.get("camel.server.port")),
                    Integer.parseInt(props.get("camel.management.port")), Path.of(props.get("igait.data-dir")).toAbsolutePath(),
                    ownDataDir, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service process", e);
        }
    }

    /** The test JVM's class path (surefire's real one when it runs us through a manifest-only jar). */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Waits until the service's routes answer HTTP; fails with the log's tail if the process ends first. */
    public ServiceProcess awaitHealthy() {
        return awaitHealthy(HEALTHY_TIMEOUT);
    }

    public ServiceProcess awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Http.answers(uri(Http.PROBE_PATH))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + " before it was healthy:\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not healthy within " + timeout.toSeconds() + " s:\n" + logTail());
            }
            sleep(100);
        }
        return this;
    }

    /** Waits for the process to end on its own; returns its exit code, or fails if it is still running. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the service was still running after " + timeout.toSeconds() + " s:\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no clean-up, as a power cut or the OOM killer would. Waits for the end. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Asks the service to stop (SIGTERM), kills it if it has not stopped within 20 s, and deletes the
     * data folder if this class made it (pass {@code igait.data-dir} to keep it, e.g. for a restart).
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        if (ownDataDir) {
            try {
                edu.niu.igait.job.DurableFiles.deleteTree(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the test data folder " + dataDir, e);
            }
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The management port's {@code http://127.0.0.1:<port><path>} (health and metrics). */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    /** Sends SIGTERM (a graceful stop, as an orchestrator asks for one) and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** The file stdout and stderr go to. */
    public Path log() {
        return log;
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logTail() {
        String text = logText();
        return "--- " + log + " (last lines) ---\n" + (text.length() > 4000 ? text.substring(text.length() - 4000) : text);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
