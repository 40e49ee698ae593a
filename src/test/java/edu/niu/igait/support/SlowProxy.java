package edu.niu.igait.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a peer that passes what the client sends at most
 * {@code bytesPerSecond} per connection (answers at full speed): a slow link to S3, so that uploads
 * stay in flight long enough to be seen and cut. It counts the bytes each connection has sent, and can
 * cut one connection in the middle of what it sends ({@link #cutOnceAfter}), as a network that drops does.
 */
public final class SlowProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long bytesPerSecond;
    private final List<AtomicLong> sent = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;
    private volatile long cutAfter = -1;
    private final java.util.concurrent.atomic.AtomicInteger cuts = new java.util.concurrent.atomic.AtomicInteger();

    public SlowProxy(URI target, long bytesPerSecond) {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.bytesPerSecond = bytesPerSecond;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::accept, "slow-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** How many connections have sent more than {@code bytes} so far (upload bodies under way). */
    public long connectionsThatSentMoreThan(long bytes) {
        return sent.stream().filter(n -> n.get() > bytes).count();
    }

    /** The first connection (from now on) that has sent more than {@code bytes} is cut, both ways, at once. */
    public void cutOnceAfter(long bytes) {
        cutAfter = bytes;
    }

    /** Connections cut so far. */
    public int cuts() {
        return cuts.get();
    }

    /** Bytes the clients have sent through, over every connection. */
    public long bytesSent() {
        return sent.stream().mapToLong(AtomicLong::get).sum();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                sockets.add(client);
                sockets.add(upstream);
                AtomicLong count = new AtomicLong();
                sent.add(count);
                pump(client, upstream, bytesPerSecond, count, "slow-proxy-up", this::cut);
                pump(upstream, client, 0, new AtomicLong(), "slow-proxy-down", null);
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    /** Whether this connection, having sent {@code total}, is the one to cut. */
    private synchronized boolean cut(long total) {
        long at = cutAfter;
        if (at >= 0 && total > at) {
            cutAfter = -1;
            cuts.incrementAndGet();
            return true;
        }
        return false;
    }

    private static void pump(Socket from, Socket to, long rate, AtomicLong count, String name, java.util.function.LongPredicate cut) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[rate > 0 ? (int) Math.max(1024, Math.min(16384, rate / 20)) : 65536];
            long start = System.nanoTime();
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                    long total = count.addAndGet(n);
                    if (cut != null && cut.test(total)) {
                        from.close();
                        to.close();
                        return;
                    }
                    if (rate > 0) {
                        long due = start + total * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // a side closed: so does the other
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
