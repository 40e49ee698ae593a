package edu.niu.igait.health;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Probes every peer on a timer of its own ({@code igait.health.probe-interval}, each connect bounded by
 * {@code igait.health.probe-timeout}), one after the other, from the moment the service starts: a
 * health request only reads what was found.
 */
public class PeerProbes extends ServiceSupport {

    private final CamelContext context;
    private final List<PeerHealth> peers;
    private final Duration interval;
    private final Duration timeout;
    private ScheduledExecutorService timer;

    public PeerProbes(CamelContext context, List<PeerHealth> peers, Duration interval, Duration timeout) {
        this.context = context;
        this.peers = List.copyOf(peers);
        this.interval = interval;
        this.timeout = timeout;
    }

    @Override
    protected void doStart() {
        if (peers.isEmpty()) {
            return;
        }
        timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "igait peer probes");
        timer.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        for (PeerHealth peer : peers) {
            if (!isRunAllowed()) {
                return;
            }
            peer.probe(timeout);
        }
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            context.getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
    }
}
