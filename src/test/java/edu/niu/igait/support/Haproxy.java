package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import edu.niu.igait.dev.Ports;

/**
 * Debian's HAProxy in front of replicas of the service, configured as the README's "Running more than
 * one" says: round robin, each replica health-checked on its readiness (management port), and the path
 * rules that send {@code /api/v1/files/<replica>/...} and {@code ?replica=<replica>} to the replica of that name. Runs in the foreground
 * on 127.0.0.1, its output in a log file beside its configuration; stopped by {@link #close()}.
 */
public final class Haproxy implements AutoCloseable {

    public static final String BINARY = "/usr/sbin/haproxy";

    /** A replica as the balancer sees it: its name, API port and management port. */
    public record Replica(String name, int port, int managementPort) {
        public static Replica of(String name, ServiceProcess service) {
            return new Replica(name, service.port(), service.managementUri("/").getPort());
        }
    }

    private final Process process;
    private final int port;
    private final int statsPort;
    private final Path log;

    private Haproxy(Process process, int port, int statsPort, Path log) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
        this.log = log;
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of(BINARY));
    }

    /** Starts HAProxy in {@code dir} and waits until it answers on its port. */
    public static Haproxy start(Path dir, List<Replica> replicas) {
        if (!installed()) {
            throw new IllegalStateException(BINARY + " not found: apt-get install haproxy (.ci/run installs it)");
        }
        int port = Ports.freePort();
        int statsPort = Ports.freePort();
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("haproxy.cfg");
            Files.writeString(config, config(port, replicas) + stats(statsPort));
            Path log = dir.resolve("haproxy.log");
            Process process = new ProcessBuilder(BINARY, "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Haproxy haproxy = new Haproxy(process, port, statsPort, log);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Ports.accepting(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    haproxy.close();
                    throw new IllegalStateException("HAProxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
            return haproxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start HAProxy", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The README's configuration, on 127.0.0.1 and the given ports, with quick health checks for tests. */
    static String config(int port, List<Replica> replicas) {
        StringBuilder c = new StringBuilder();
        c.append("""
                global
                    maxconn 1024
                defaults
                    mode http
                    option forwardfor
                    option redispatch
                    retries 3
                    retry-on conn-failure empty-response 503
                    timeout connect 2s
                    timeout client 120s
                    timeout server 120s
                    timeout http-request 10s
                frontend api
                """);
        c.append("    bind 127.0.0.1:").append(port).append('\n');
        for (Replica r : replicas) {
            c.append("    use_backend replica-").append(r.name()).append(" if { path_beg /api/v1/files/").append(r.name())
                    .append("/ } || { url_param(replica) -m str ").append(r.name()).append(" }\n");
        }
        c.append("    default_backend replicas\n");
        c.append("""
                backend replicas
                    balance roundrobin
                    option httpchk GET /observe/health/ready
                    http-check expect status 200
                    default-server inter 300ms fall 3 rise 1
                """);
        for (Replica r : replicas) {
            c.append("    server ").append(r.name()).append(" 127.0.0.1:").append(r.port()).append(" check port ").append(r.managementPort()).append('\n');
        }
        for (Replica r : replicas) {
            c.append("backend replica-").append(r.name()).append('\n')
                    .append("    option httpchk GET /observe/health/ready\n")
                    .append("    server ").append(r.name()).append(" 127.0.0.1:").append(r.port()).append(" check port ")
                    .append(r.managementPort()).append(" inter 300ms fall 3 rise 1\n");
        }
        return c.toString();
    }

    /** HAProxy's own statistics page (not in the README's configuration: the tests ask it what it sees). */
    static String stats(int statsPort) {
        return "listen stats\n    bind 127.0.0.1:" + statsPort + "\n    stats enable\n    stats uri /stats\n";
    }

    /**
     * Waits until every backend that has the server {@code name} checks it UP, as the balancer's next request
     * would find it: a replica's readiness answering 200 is not yet the balancer sending to it again.
     */
    public void awaitUp(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = Http.get(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).body();
                List<String> states = last.lines().map(l -> l.split(","))
                        .filter(f -> f.length > 17 && f[1].equals(name)).map(f -> f[17]).toList();
                if (!states.isEmpty() && states.stream().allMatch(s -> s.startsWith("UP"))) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.toString();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("HAProxy did not see " + name + " UP within " + timeout + ":\n" + last);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
