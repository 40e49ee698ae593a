package edu.niu.igait.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Small socket helpers shared by the local peers. All of them use 127.0.0.1 only. */
public final class Ports {

    /** The only address the local peers bind and connect to. */
    public static final String LOOPBACK = "127.0.0.1";
    /** The lowest port {@link #freePort()} hands out: below it are the usual fixed ports of services. */
    static final int FIRST_PORT = 15000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago, for servers that must be told a port before
     * they start (S3Proxy writes its endpoint into its configuration). Chosen below the kernel's
     * ephemeral range (ip_local_port_range, from 32768 by default), where outgoing connections get
     * their local ports: a port from that range, as binding port 0 gives, can be taken by any
     * connection on the machine in the seconds a service JVM takes to bind it (a crash test's service
     * once stopped at start-up so, its management port "not available"). Below the range only a server
     * asking for that very port can take it; this JVM hands out each port once.
     */
    public static int freePort() {
        int below = ephemeralStart();
        for (int attempt = 0; below - FIRST_PORT > 1000 && attempt < 100; attempt++) {
            int port = FIRST_PORT + ThreadLocalRandom.current().nextInt(below - FIRST_PORT);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        }
    }

    /** The first port of the kernel's ephemeral range (Linux); 32768 where it cannot be read. */
    static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port} now. */
    public static boolean accepting(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 250);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a clear message when 127.0.0.1:{@code port} is taken, so a stale server is not mistaken for ours. */
    public static void requireFree(int port, String what) {
        if (accepting(port)) {
            throw new IllegalStateException(what + ": port " + LOOPBACK + ":" + port
                    + " is already taken by another process (a peer left running?)");
        }
    }

    /** Waits until 127.0.0.1:{@code port} refuses connections, at most {@code timeout}. */
    public static boolean awaitClosed(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (accepting(port)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(50);
        }
        return true;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
