package edu.niu.igait.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import edu.niu.igait.dev.Ports;

/**
 * A Firebase Realtime Database peer on 127.0.0.1 for tests: npm {@code firebase-server@1.1.0} (with
 * {@code firebase@8.10.1} pinned beside it in {@code src/test/firebase-server}, installed by the build's
 * {@code npm ci}), run as
 * {@code node src/test/firebase-server/node_modules/.bin/firebase-server -p PORT -a 127.0.0.1 -n 127.0.0.1:PORT -s owner -e}.
 *
 * <h2>Connecting firebase-admin 9.11.0 (what worked, checked by {@code FirebaseServerTest})</h2>
 * <pre>
 * FirebaseProcessEnvironment.setenv("FIREBASE_DATABASE_EMULATOR_HOST", "127.0.0.1:" + port); // or the real env var
 * FirebaseOptions options = FirebaseOptions.builder()
 *     .setCredentials(GoogleCredentials.create(
 *         new AccessToken("owner", Date.from(Instant.now().plus(Duration.ofDays(365))))))
 *     .setDatabaseUrl("https://igait-test-default-rtdb.firebaseio.com")            // the production form
 *     .build();
 * FirebaseDatabase db = FirebaseDatabase.getInstance(FirebaseApp.initializeApp(options, "name"));
 * </pre>
 * Trap: the credentials must carry an expiration time. {@code new AccessToken("owner", null)} makes
 * {@code FirebaseDatabase.getInstance} throw a {@code NullPointerException} (in
 * {@code FirebaseApp$TokenRefresher.getRefreshDelay}): the app's token refresher starts even when the
 * emulator's credentials are used for the connection. The token value itself does not matter.
 * {@code FirebaseProcessEnvironment.setenv} is process-wide and wins over the real environment until
 * {@code FirebaseProcessEnvironment.clearCache()}.
 * With {@code FIREBASE_DATABASE_EMULATOR_HOST} set the SDK rewrites the URL to
 * {@code http://127.0.0.1:PORT?ns=igait-test-default-rtdb} (the namespace is the first label of the
 * host) and swaps the credentials for its emulator credentials (access token {@code owner}), which
 * firebase-server started with {@code -s owner} treats as the admin. The database URL given directly as
 * {@code http://127.0.0.1:PORT?ns=owner} (no variable) works as well: the SDK sees an emulator URL.
 * firebase-server serves one database whatever the namespace. {@code runTransaction},
 * {@code setValueAsync}, {@code updateChildrenAsync}, listeners and single reads work; not
 * {@code onDisconnect()}. Netty must be one line (the pom imports {@code netty-bom}), or the websocket
 * never connects and writes silently time out.
 *
 * <h2>Reading and writing in assertions</h2>
 * firebase-server is started with its REST API ({@code -e}): {@link #get(String)} is
 * {@code GET http://127.0.0.1:PORT/<path>.json} (the {@code ns} parameter is ignored), {@link #put}
 * and {@link #delete} seed and clear ({@code PATCH} exists too). Writes over REST reach connected SDK
 * clients' listeners. Use HTTP/1.1: the JDK client's default HTTP/2 upgrade headers get a 400.
 *
 * <h2>Life cycle</h2>
 * Data lives in the process's memory: {@link #stop()} first saves a snapshot ({@code GET /.json}) and
 * the next {@link #start()} loads it ({@code -f}), so an outage (stop, then start on the same port)
 * keeps the data as the real service would; {@link #crash()} loses it. Both kill with SIGKILL:
 * firebase-server ignores SIGTERM while a client is connected. Output goes to
 * {@code target/peers/firebase-server-<port>.log}.
 */
public final class FirebaseServer implements AutoCloseable {

    /** The secret firebase-server checks tokens against; the SDK's emulator credentials present {@code owner}. */
    public static final String SECRET = "owner";
    public static final Path DEFAULT_MODULE_DIR = Path.of("src", "test", "firebase-server");

    private final Path moduleDir;
    private final Path workDir;
    private int port;
    private Process process;
    private boolean startedBefore;
    private Duration startTimeout = Duration.ofSeconds(20);
    /** HTTP/1.1 only: the JDK client's default h2c upgrade headers make firebase-server (ws) answer 400. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** firebase-server from {@link #DEFAULT_MODULE_DIR}, log and snapshots in {@code target/peers}. */
    public FirebaseServer(int port) {
        this(DEFAULT_MODULE_DIR, Path.of("target", "peers"), port);
    }

    public FirebaseServer(Path moduleDir, Path workDir, int port) {
        this.moduleDir = moduleDir.toAbsolutePath();
        this.workDir = workDir.toAbsolutePath();
        this.port = port;
    }

    public FirebaseServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** Starts the process and returns when it accepts connections. Starting a running server does nothing. */
    public synchronized FirebaseServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path bin = moduleDir.resolve("node_modules").resolve(".bin").resolve("firebase-server");
        if (!Files.exists(bin)) {
            throw new IllegalStateException(bin + " is missing: run `mvn generate-test-resources` (npm ci in "
                    + moduleDir + ")");
        }
        if (port == 0) {
            port = Ports.freePort();
        }
        Ports.requireFree(port, "firebase-server");
        try {
            Files.createDirectories(workDir);
            if (!startedBefore) {
                Files.deleteIfExists(snapshotFile()); // left by an earlier run on the same port: not ours
                startedBefore = true;
            }
            Files.writeString(logFile(), "---- starting firebase-server on port " + port + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            List<String> command = new ArrayList<>(List.of("node", bin.toString(),
                    "-p", String.valueOf(port), "-a", Ports.LOOPBACK, "-n", Ports.LOOPBACK + ":" + port,
                    "-s", SECRET, "-e"));
            if (Files.isRegularFile(snapshotFile())) {
                command.addAll(List.of("-f", snapshotFile().toString()));
            }
            process = new ProcessBuilder(command)
                    .directory(moduleDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start firebase-server (is node on the PATH?)", e);
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!Ports.accepting(port)) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                throw new IllegalStateException("firebase-server exited with " + exit + " before listening on port "
                        + port + "; the end of " + logFile() + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("firebase-server did not listen on port " + port + " within "
                        + startTimeout.toMillis() + " ms; the end of " + logFile() + ":\n" + tail());
            }
            sleep(50);
        }
        return this;
    }

    /** Saves the data, then kills the process: the next {@link #start()} has the data back. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            try {
                String data = get("");
                Files.writeString(snapshotFile(), data == null || data.equals("null") ? "{}" : data, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // a snapshot is a convenience: the process may be wedged or already gone
            }
        }
        kill();
    }

    /** Kills the process without saving: the data is gone, as with a crash of an in-memory server. */
    public synchronized void crash() {
        kill();
        try {
            Files.deleteIfExists(snapshotFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void kill() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Ports.awaitClosed(port, Duration.ofSeconds(5));
    }

    /** Stops the server and forgets its data (for the end of a test class). */
    @Override
    public synchronized void close() {
        crash();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, the value for {@code FIREBASE_DATABASE_EMULATOR_HOST}. */
    public String emulatorHost() {
        return Ports.LOOPBACK + ":" + port;
    }

    /** {@code http://127.0.0.1:PORT?ns=owner}: a database URL the SDK takes as an emulator's as it is. */
    public String databaseUrl() {
        return "http://" + emulatorHost() + "?ns=" + SECRET;
    }

    // ---- REST, for assertions and seeding ----

    /** The JSON at {@code path} ({@code "users/u1"}; {@code ""} for the root), {@code "null"} when absent. */
    public String get(String path) throws IOException {
        return send(HttpRequest.newBuilder(restUri(path)).GET());
    }

    /** Replaces the value at {@code path} with this JSON; returns what the server stored. */
    public String put(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(restUri(path)).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public void delete(String path) throws IOException {
        send(HttpRequest.newBuilder(restUri(path)).DELETE());
    }

    private URI restUri(String path) {
        String clean = path.replaceAll("^/+|/+$", "");
        return URI.create("http://" + emulatorHost() + "/" + clean + ".json?ns=" + SECRET);
    }

    private String send(HttpRequest.Builder request) throws IOException {
        HttpRequest built = request.timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response;
            try {
                response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // A kept-alive connection to the server as it was before a restart (or one it closed as idle)
                // fails on its first use with no answer; GET, PUT and DELETE may be sent again, once, on a new one.
                response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }
            if (response.statusCode() != 200) {
                throw new IOException("firebase-server answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public Path logFile() {
        return workDir.resolve("firebase-server-" + port + ".log");
    }

    private Path snapshotFile() {
        return workDir.resolve("firebase-server-" + port + ".json");
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
