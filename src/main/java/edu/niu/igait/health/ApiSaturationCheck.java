package edu.niu.igait.health;

import java.util.Map;

import edu.niu.igait.http.ApiLoad;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness detail: how much of the API is taken now (upload slots, completion slots, worker threads,
 * connections). Always UP: a full API still answers (503 busy, which the app retries), and taking the
 * only instance out of a load balancer would refuse everyone; the numbers are for the person reading
 * {@code /observe/health}. The management port runs on a Vert.x of its own, so this answers however
 * saturated the API is.
 */
public class ApiSaturationCheck extends AbstractHealthCheck {

    private final ApiLoad load;

    public ApiSaturationCheck(ApiLoad load) {
        super("igait", "api-saturation");
        this.load = load;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long uploads = load.uploadsInProgress();
        int completions = load.completionsInProgress();
        int workers = load.workersBusy();
        int connections = load.connectionsOpen();
        builder.detail("uploads.in-progress", uploads);
        builder.detail("uploads.slots", load.uploadSlots());
        builder.detail("completions.in-progress", completions);
        builder.detail("completions.slots", load.completionSlots());
        builder.detail("workers.busy", workers);
        builder.detail("workers.total", load.workers());
        builder.detail("connections.open", connections);
        builder.detail("upload-memory.bytes", load.uploadMemoryBytes());
        boolean full = uploads >= load.uploadSlots() || completions >= load.completionSlots();
        // (no slash: Camel's health JSON would write it escaped)
        builder.message("uploads " + uploads + " of " + load.uploadSlots() + ", completions " + completions + " of "
                + load.completionSlots() + ", worker threads " + workers + " of " + load.workers() + ", connections " + connections
                + (full ? ": the API is saturated, new requests of that kind get 503 busy" : ""));
        builder.up();
    }
}
