package edu.niu.igait.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's connections, from the moment each is accepted ({@code HttpServer.connectionHandler},
 * installed by {@link TunedVertx}) to its close:
 * <ul>
 * <li>caps, refused at accept time by closing the socket at once, before a byte is read: at most
 * {@code igait.http.max-connections} open, and {@code igait.limits.connections-per-address} from one
 * client address ({@link ClientAddress#group}: an IPv6 /64 is one address; a trusted proxy's socket
 * counts only in the total, its clients are many);</li>
 * <li>the header deadline, {@code igait.http.header-timeout}: a connection whose request line and
 * headers have not all arrived that long after it opened is closed (a half request line, or one byte
 * now and then, holds nothing for long); so is a kept-alive connection that sends no next request
 * between one and two of them after its last answer;</li>
 * <li>its close, seen whenever it happens: {@link #onClose} runs its handler at once for a connection
 * that is already closed, so a request whose client hung up before anyone listened is noticed all the
 * same (Vert.x calls a connection's close handler once, when it closes, and keeps one per connection).</li>
 * </ul>
 * Every method that takes a connection runs on that connection's event loop.
 */
public final class ConnectionGuard {

    /** Why the service closed a connection on its own; the label of {@code igait_http_connections_closed_total}. */
    public enum Reason {
        MAX_CONNECTIONS("max_connections"),
        CONNECTIONS_PER_ADDRESS("connections_per_address"),
        HEADER_TIMEOUT("header_timeout");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("igait.http");
    /** At most one log line per reason in this long: a flood is counted in the metrics, not logged line by line. */
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final int maxConnections;
    private final int perAddress;
    private final long headerTimeoutMs;
    private final ClientAddress clients;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections per address group; a group with none is absent. Changed only inside the map's compute. */
    private final Map<String, Integer> byGroup = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Watched> watched = new ConcurrentHashMap<>();
    /** How long a client refused while the service stops is asked to wait: a restart, or the balancer's next check. */
    static final long STOPPING_RETRY_SECONDS = 5;
    private volatile boolean stopping;
    private final Map<Reason, AtomicLong> closed = new ConcurrentHashMap<>();
    private final Map<Reason, AtomicLong> lastLogged = new ConcurrentHashMap<>();

    /**
     * @param maxConnections  connections open at once (igait.http.max-connections)
     * @param perAddress      connections open at once from one address group (igait.limits.connections-per-address)
     * @param headerTimeoutMs the request line and headers must have arrived this long after the connection opened
     *                        (or after the last answer); 0: no header deadline
     */
    public ConnectionGuard(int maxConnections, int perAddress, long headerTimeoutMs, ClientAddress clients) {
        this.maxConnections = maxConnections;
        this.perAddress = perAddress;
        this.headerTimeoutMs = headerTimeoutMs;
        this.clients = clients;
        for (Reason r : Reason.values()) {
            closed.put(r, new AtomicLong());
            lastLogged.put(r, new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS));
        }
    }

    /** The header deadline in milliseconds (0: none). */
    public long headerTimeoutMs() {
        return headerTimeoutMs;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed by the service for {@code reason} since start-up. */
    public long closed(Reason reason) {
        return closed.get(reason).get();
    }

    /** The server's connection handler: a new connection is kept (and watched) or closed at once. */
    public void connected(HttpConnection connection) {
        String socket = connection.remoteAddress() == null ? "unknown"
                : connection.remoteAddress().hostAddress() != null ? connection.remoteAddress().hostAddress()
                : connection.remoteAddress().toString();
        String group = clients.isTrustedProxy(socket) ? null : ClientAddress.group(socket);
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refuse(connection, socket, Reason.MAX_CONNECTIONS, "igait.http.max-connections: " + maxConnections + " connections are open");
            return;
        }
        if (group != null) {
            // Counted and checked in one step: connections of one group arrive on several event loops.
            boolean[] full = {false};
            byGroup.compute(group, (g, c) -> {
                int now = c == null ? 0 : c;
                full[0] = now >= perAddress;
                return full[0] ? c : Integer.valueOf(now + 1);
            });
            if (full[0]) {
                open.decrementAndGet();
                refuse(connection, socket, Reason.CONNECTIONS_PER_ADDRESS, "igait.limits.connections-per-address: " + perAddress
                        + " connections are open from " + group);
                return;
            }
        }
        Watched w = new Watched(connection, group);
        watched.put(connection, w);
        connection.closeHandler(v -> w.closed());
        w.awaitHeaders();
    }

    /**
     * The server's request handler, before the router: this request's line and headers have arrived.
     * Returns false when it was answered here: the service is stopping ({@link #refuseNewRequests}).
     */
    public boolean requestArrived(HttpServerRequest request) {
        Watched w = watched.get(request.connection());
        if (w != null) {
            w.current = request;
            w.idleSeen = false;
        }
        if (stopping) {
            Connections.refuse(request, 503, "unavailable", "the service is stopping; try again shortly", STOPPING_RETRY_SECONDS);
            return false;
        }
        return true;
    }

    /**
     * The service stops: a request that arrives from now on is answered {@code 503} with
     * {@code Retry-After}, in the API's JSON, before any route (the platform would answer a bare 503, and
     * a load balancer that has not yet seen readiness DOWN may still send one here). Requests already
     * under way go on.
     */
    public void refuseNewRequests() {
        stopping = true;
    }

    /**
     * Runs {@code handler} once when {@code connection} closes, or at once if it is closed already.
     * Call it on the connection's event loop. Every connection of the server this guard is installed on
     * went through {@link #connected}, so one it does not watch (any more) is closed.
     */
    public void onClose(HttpConnection connection, Runnable handler) {
        Watched w = connection == null ? null : watched.get(connection);
        if (w == null) {
            handler.run();
            return;
        }
        w.listeners.add(handler);
    }

    /** Whether {@code connection} is open (the guard watches every connection of its server until it closes). */
    public boolean isOpen(HttpConnection connection) {
        return connection != null && watched.containsKey(connection);
    }

    private void refuse(HttpConnection connection, String socket, Reason reason, String why) {
        closed.get(reason).incrementAndGet();
        logAtMostEveryMinute(reason, "connection from {} closed at once: {} (igait_http_connections_closed_total counts the rest)",
                ClientAddress.group(socket), why);
        connection.close();
    }

    private void logAtMostEveryMinute(Reason reason, String message, Object... args) {
        AtomicLong last = lastLogged.get(reason);
        long now = System.nanoTime();
        long before = last.get();
        if (now - before >= LOG_EVERY_NANOS && last.compareAndSet(before, now)) {
            LOG.info(message, args);
        }
    }

    private void release(String group) {
        byGroup.computeIfPresent(group, (g, c) -> c <= 1 ? null : c - 1);
    }

    /** One open connection: its address group, its header timer, who wants to hear of its close. */
    private final class Watched {
        private final HttpConnection connection;
        private final String group;
        private final List<Runnable> listeners = new ArrayList<>();
        private long timer = -1;
        private HttpServerRequest current;
        /** The header timer found the connection idle after an answer once already. */
        private boolean idleSeen;
        private boolean isClosed;

        Watched(HttpConnection connection, String group) {
            this.connection = connection;
            this.group = group;
        }

        void awaitHeaders() {
            if (headerTimeoutMs <= 0) {
                return;
            }
            io.vertx.core.Context context = Vertx.currentContext();
            if (context == null) {
                return;
            }
            timer = context.owner().setTimer(headerTimeoutMs, id -> headerTimerFired(context.owner()));
        }

        private void headerTimerFired(Vertx vertx) {
            timer = -1;
            if (isClosed) {
                return;
            }
            HttpServerRequest request = current;
            boolean waiting = request == null || (request.response().ended() && idleSeen);
            if (waiting) {
                closed.get(Reason.HEADER_TIMEOUT).incrementAndGet();
                logAtMostEveryMinute(Reason.HEADER_TIMEOUT, "connection from {} closed: no request line and headers within {} ms"
                        + " (igait.http.header-timeout; igait_http_connections_closed_total counts the rest)",
                        group == null ? "a trusted proxy" : group, headerTimeoutMs);
                connection.close();
                return;
            }
            // A request under way (its own deadlines apply), or answered since less than two timer periods.
            if (request.response().ended()) {
                idleSeen = true;
            }
            timer = vertx.setTimer(headerTimeoutMs, id -> headerTimerFired(vertx));
        }

        void closed() {
            if (isClosed) {
                return;
            }
            isClosed = true;
            watched.remove(connection);
            if (timer >= 0) {
                io.vertx.core.Context context = Vertx.currentContext();
                if (context != null) {
                    context.owner().cancelTimer(timer);
                }
                timer = -1;
            }
            open.decrementAndGet();
            if (group != null) {
                release(group);
            }
            for (Runnable listener : listeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.warn("a close handler failed: {}", e.toString());
                }
            }
            listeners.clear();
        }
    }
}
