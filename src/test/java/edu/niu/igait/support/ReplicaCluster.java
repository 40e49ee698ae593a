package edu.niu.igait.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import edu.niu.igait.dev.Ports;

/**
 * Replicas of the service, each a JVM with its own name ({@code igait-0}, {@code igait-1}, ...), data
 * folder and fixed ports (a restart keeps them, as a pod keeps its volume and address), started at
 * once, behind Debian's HAProxy ({@link Haproxy}). For a SIGKILL or a rolling restart under load:
 * {@link #kill}, {@link #start}, {@link #restart}.
 */
public final class ReplicaCluster implements AutoCloseable {

    private final List<String> names = new ArrayList<>();
    private final List<Map<String, String>> properties = new ArrayList<>();
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private final Map<String, String> environment;
    private final ServiceProcess.Jvm jvm;
    private final Haproxy balancer;

    /**
     * {@code n} replicas with {@code common} properties (the peers' and the test's own), each's data folder
     * {@code dir/<name>}, and HAProxy's files in {@code dir/haproxy}; all ready when this returns.
     */
    public ReplicaCluster(int n, Path dir, Map<String, String> common, Map<String, String> environment, ServiceProcess.Jvm jvm) {
        this.environment = environment;
        this.jvm = jvm;
        List<Haproxy.Replica> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "igait-" + i;
            Map<String, String> p = new LinkedHashMap<>(common);
            p.put("igait.replica.name", name);
            p.put("igait.data-dir", dir.resolve(name).toString());
            p.put("camel.server.port", Integer.toString(Ports.freePort()));
            p.put("camel.management.port", Integer.toString(Ports.freePort()));
            names.add(name);
            properties.add(p);
            replicas.add(null);
            backends.add(new Haproxy.Replica(name, Integer.parseInt(p.get("camel.server.port")),
                    Integer.parseInt(p.get("camel.management.port"))));
        }
        try {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int r = i;
                started.add(CompletableFuture.runAsync(() -> start(r)));
            }
            started.forEach(CompletableFuture::join);
            balancer = Haproxy.start(dir.resolve("haproxy"), backends);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Haproxy balancer() {
        return balancer;
    }

    public ServiceProcess replica(int r) {
        return replicas.get(r);
    }

    public String name(int r) {
        return names.get(r);
    }

    public Path dataDir(int r) {
        return Path.of(properties.get(r).get("igait.data-dir"));
    }

    public int size() {
        return names.size();
    }

    /** Starts replica {@code r} (again) on its folder, name and ports, and waits until it reports ready. */
    public void start(int r) {
        replicas.set(r, ServiceProcess.start(properties.get(r), environment, jvm).awaitHealthy());
        awaitReady(replicas.get(r));
    }

    /**
     * SIGTERM, the process's end, a new one on the same folder, name and ports, ready, and the balancer
     * sending to it again (its checks see it UP): the README's rolling deploy waits so before the next.
     */
    public void restart(int r) {
        ServiceProcess old = replicas.get(r);
        old.terminate();
        old.awaitExit(Duration.ofSeconds(90));
        start(r);
        balancer.awaitUp(names.get(r), Duration.ofSeconds(30));
    }

    /** SIGKILL of replica {@code r}; returns when the process has ended. */
    public void kill(int r) {
        replicas.get(r).kill();
    }

    /** Waits until the service's readiness check (what HAProxy asks) answers 200. */
    public static void awaitReady(ServiceProcess service) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Http.get(service.managementUri("/observe/health/ready")).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within 60 s:\n" + service.logText());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        if (balancer != null) {
            balancer.close();
        }
        for (ServiceProcess p : replicas) {
            if (p != null) {
                p.close();
            }
        }
    }
}
