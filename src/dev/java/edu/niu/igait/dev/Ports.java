package edu.niu.igait.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Small socket helpers shared by the local peers. All of them use 127.0.0.1 only. */
public final class Ports {

    /** The only address the local peers bind and connect to. */
    public static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago, for servers that must be told a port before
     * they start (S3Proxy writes its endpoint into its configuration). Another process may take it in
     * between: callers keep the race short by starting their server straight away.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
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
