package edu.niu.igait.support;

import edu.niu.igait.dev.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import edu.niu.igait.app.IgaitMain;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The real service, in this JVM: {@code IgaitMain.create(props).run()} on a background thread, with
 * the project's {@code application.properties} and {@code routes/} (the working directory is the
 * project folder), a fresh data folder and a free port on 127.0.0.1.
 *
 * <pre>{@code
 * try (TestService service = TestService.start(Map.of("igait.upload.max-video-bytes", "1048576"))) {
 *     HttpResponse<String> r = http.send(HttpRequest.newBuilder(service.uri("/api/v1/upload"))...);
 * }
 * }</pre>
 */
public final class TestService implements AutoCloseable {

    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The intake alone: the stage routes need peers, which the pipeline's tests bring (support.Peers). */
    public static final String INTAKE_ONLY_ROUTES = "file:routes/*.yaml";
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Main main;
    private final Thread thread;
    private final int port;
    private final int managementPort;
    private final Path dataDir;
    private final AtomicReference<Throwable> failure;
    private final CountDownLatch finished;
    private final CamelContext context;
    private final boolean ownDataDir;
    private final String scheme;

    private TestService(Main main, Thread thread, int port, int managementPort, Path dataDir, boolean ownDataDir,
                        AtomicReference<Throwable> failure, CountDownLatch finished, CamelContext context, String scheme) {
        this.ownDataDir = ownDataDir;
        this.managementPort = managementPort;
        this.scheme = scheme;
        this.main = main;
        this.thread = thread;
        this.port = port;
        this.dataDir = dataDir;
        this.failure = failure;
        this.finished = finished;
        this.context = context;
    }

    /** A service with the project's configuration only (fresh data folder, free port). */
    public static TestService start() {
        return start(Map.of());
    }

    /**
     * Starts the service and waits until HTTP answers.
     *
     * @param overrides properties that win over {@code application.properties}; {@code igait.data-dir}
     *                  and {@code camel.server.port} are chosen here unless given
     * @throws IllegalStateException with the start-up exception as its cause when the service does
     *                               not come up (its message is {@code StartupException.describe} of it)
     */
    public static TestService start(Map<String, String> overrides) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("camel.server.host", "127.0.0.1");
        props.put("camel.management.host", "127.0.0.1");
        props.putAll(overrides);
        // Tests that are not about sign-in or limits upload freely: no token, no window to run out of.
        props.putIfAbsent("igait.auth.mode", "none");
        props.putIfAbsent("igait.limits.per-user", "1000000/1h");
        props.putIfAbsent("igait.limits.per-address", "1000000/1h");
        // Nor a cap on uploads at once from one uid or address: the tests all come from 127.0.0.1 (the caps'
        // own tests set them, or come from many addresses).
        props.putIfAbsent("igait.limits.concurrent-uploads-per-user", "1000");
        props.putIfAbsent("igait.limits.concurrent-uploads-per-address", "1000");
        if (!props.containsKey("igait.pipeline.enabled")) {
            props.put("igait.pipeline.enabled", "false");
            props.put("camel.main.routes-include-pattern", INTAKE_ONLY_ROUTES);
        }
        Path dataDir;
        boolean ownDataDir = !props.containsKey("igait.data-dir");
        if (!ownDataDir) {
            dataDir = Path.of(props.get("igait.data-dir")).toAbsolutePath();
        } else {
            try {
                dataDir = Files.createTempDirectory("igait-data-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            props.put("igait.data-dir", dataDir.toString());
        }
        if (!props.containsKey("camel.server.port")) {
            props.put("camel.server.port", Integer.toString(Ports.freePort()));
        }
        int port = Integer.parseInt(props.get("camel.server.port"));
        if (!props.containsKey("camel.management.port")) {
            props.put("camel.management.port", Integer.toString(Ports.freePort()));
        }
        int managementPort = Integer.parseInt(props.get("camel.management.port"));
        Properties properties = new Properties();
        properties.putAll(props);

        Main main = IgaitMain.create(properties);
        // A JVM shutdown hook per service would pile up in a test JVM.
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) {
            strategy.disableHangupSupport();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<CamelContext> context = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                context.set(m.getCamelContext());
                started.countDown();
            }
        });
        Thread thread = new Thread(() -> {
            try {
                main.run();
            } catch (Throwable e) {
                failures.put(e, main);
                failure.set(e);
            } finally {
                finished.countDown();
            }
        }, "igait-test-service-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        thread.start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (!started.await(50, TimeUnit.MILLISECONDS)) {
                if (finished.getCount() == 0) {
                    throw startFailed(failure.get(), "the service stopped during start-up");
                }
                if (System.nanoTime() > deadline) {
                    stopQuietly(main, thread);
                    throw startFailed(failure.get(), "the service did not start within " + START_TIMEOUT.toSeconds() + " s");
                }
            }
            // With igait.http.tls.* the service speaks HTTPS only; the probe trusts whatever certificate it shows.
            String scheme = props.keySet().stream().anyMatch(k -> k.startsWith("igait.http.tls.")) ? "https" : "http";
            TestService service = new TestService(main, thread, port, managementPort, dataDir, ownDataDir, failure, finished,
                    context.get(), scheme);
            while (!Http.answers(service.uri(Http.PROBE_PATH))) {
                if (finished.getCount() == 0) {
                    throw startFailed(failure.get(), "the service stopped during start-up");
                }
                if (System.nanoTime() > deadline) {
                    service.close();
                    throw startFailed(null, "HTTP did not answer on port " + port + " within " + START_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(main, thread);
            deleteIfOwn(dataDir, ownDataDir);
            throw new IllegalStateException("interrupted while the service was starting", e);
        } catch (RuntimeException e) {
            deleteIfOwn(dataDir, ownDataDir);
            throw e;
        }
    }

    private static void deleteIfOwn(Path dataDir, boolean own) {
        if (own) {
            try {
                edu.niu.igait.job.DurableFiles.deleteTree(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the test data folder " + dataDir, e);
            }
        }
    }

    /** The Main each start-up failure came from, to describe it as App does. */
    private static final java.util.Map<Throwable, Main> failures = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static IllegalStateException startFailed(Throwable cause, String what) {
        String message = cause == null ? what
                : what + ": " + edu.niu.igait.config.StartupException.describe(cause,
                        failures.containsKey(cause) ? failures.get(cause).getCamelContext() : null);
        return new IllegalStateException(message, cause);
    }

    private static void stopQuietly(Main main, Thread thread) {
        main.completed();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code http://127.0.0.1:<port><path>} ({@code https} with TLS); path starts with '/' and may carry a query. */
    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    /** The management port's {@code http://127.0.0.1:<port><path>} (health and metrics). */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public int managementPort() {
        return managementPort;
    }

    public CamelContext context() {
        return context;
    }

    /** The exception the service's main thread ended with, if it did. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops Camel (routes, HTTP server) cleanly and waits for the main thread to end; deletes the data
     * folder if this class made it (one given in {@code igait.data-dir} is left alone).
     */
    @Override
    public void close() {
        main.completed();
        try {
            if (!finished.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the service on port " + port + " did not stop within 30 s");
            }
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteIfOwn(dataDir, ownDataDir);
    }
}
