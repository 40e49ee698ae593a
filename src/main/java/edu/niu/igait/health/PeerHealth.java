package edu.niu.igait.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import edu.niu.igait.failure.Errors;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The health of one peer (Firebase, S3, Metis, the mail server), for operators: UP or DOWN, and when
 * DOWN the last error and since when. It never makes readiness fail (uploads are taken while a peer is
 * down: the jobs wait in their stage), so it is neither a readiness nor a liveness check and shows on
 * {@code /observe/health} only.
 *
 * <p>Two sources, neither on a request's path: what the stages saw (a retry because this peer failed:
 * DOWN; a stage of this peer passing: UP) and a cheap probe on a timer (a TCP connect to the peer's
 * host and port, bounded by a time-out). DOWN while the probe cannot connect, or while the stages'
 * latest word is a failure no older than {@code stageMemory} (beyond it, a stage that stopped trying
 * no longer speaks for the peer, and the probe alone decides).
 */
public class PeerHealth extends AbstractHealthCheck {

    private final String peer;
    private final String host;
    private final int port;
    private final Duration stageMemory;
    private final Clock clock;

    private Observation probe;
    private Observation stage;
    private Instant downSince;

    /**
     * @param peer        as the stages and the peer clients name it (Firebase, S3, Metis, mail)
     * @param stageMemory how long a stage's failure speaks for the peer without a newer attempt
     */
    public PeerHealth(String peer, String host, int port, Duration stageMemory) {
        this(peer, host, port, stageMemory, Clock.systemUTC());
    }

    PeerHealth(String peer, String host, int port, Duration stageMemory, Clock clock) {
        super("igait", "peer:" + peer.toLowerCase(Locale.ROOT));
        this.peer = peer;
        this.host = host;
        this.port = port;
        this.stageMemory = stageMemory;
        this.clock = clock;
    }

    public String peer() {
        return peer;
    }

    public String endpoint() {
        return host + ":" + port;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    // ---- what the stages saw ----

    public synchronized void stageSucceeded(String stageName) {
        stage = new Observation(clock.instant(), null, "stage " + stageName);
    }

    public synchronized void stageFailed(String stageName, Throwable error) {
        stage = new Observation(clock.instant(), Errors.summary(error), "stage " + stageName);
    }

    // ---- the probe ----

    /** Connects to the peer's host and port once, within {@code timeout}; notes the outcome. */
    public void probe(Duration timeout) {
        String error = null;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s+", " ").strip();
            error = "cannot connect to " + endpoint() + " (" + e.getClass().getSimpleName() + m + ")";
        }
        synchronized (this) {
            probe = new Observation(clock.instant(), error, "probe");
        }
    }

    // ---- the check ----

    @Override
    protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant now = clock.instant();
        Observation failing = null;
        if (probe != null && probe.error != null) {
            failing = probe;
        }
        if (stage != null && stage.error != null && Duration.between(stage.at, now).compareTo(stageMemory) <= 0
                && (failing == null || stage.at.isAfter(failing.at))) {
            failing = stage;
        }
        builder.detail("peer", peer);
        builder.detail("endpoint", endpoint());
        if (probe != null) {
            builder.detail("probe.at", probe.at.toString());
            builder.detail("probe.result", probe.error == null ? "connected" : probe.error);
        }
        if (stage != null) {
            builder.detail("stages.at", stage.at.toString());
            builder.detail("stages.result", stage.error == null ? "passed (" + stage.source + ")" : stage.error + " (" + stage.source + ")");
        }
        if (failing != null) {
            if (downSince == null) {
                downSince = failing.at;
            }
            builder.detail("down.since", downSince.toString());
            builder.detail("last.error", failing.error);
            builder.message(peer + " DOWN since " + downSince + ": " + failing.error + " (seen by the " + failing.source + " at "
                    + failing.at + ")");
            builder.down();
        } else if (probe == null && stage == null) {
            builder.message(peer + " (" + endpoint() + ") not checked yet");
            builder.unknown();
        } else {
            downSince = null;
            builder.message(peer + " UP (" + endpoint() + ")");
            builder.up();
        }
    }

    private record Observation(Instant at, String error, String source) {
    }
}
