package edu.niu.igait.health;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: every folder under {@code data/stages/} that holds tickets is read by a route. A folder
 * whose stage was removed keeps its jobs from going further; a deployment that strands jobs so is not
 * ready (a rolling update stops at it) until its tickets are moved on or the stage is back. The message
 * says which folder, how many tickets, and what to do.
 */
public class StageFoldersCheck extends AbstractHealthCheck {

    private final Supplier<Map<String, Integer>> stranded;
    private final BiFunction<String, Integer, String> advice;

    /**
     * @param stranded the folders no route reads that hold tickets, with their counts
     * @param advice   what to do about one of them, on one line
     */
    public StageFoldersCheck(Supplier<Map<String, Integer>> stranded, BiFunction<String, Integer, String> advice) {
        super("igait", "stage-folders");
        this.stranded = stranded;
        this.advice = advice;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Integer> folders = stranded.get();
        if (folders.isEmpty()) {
            builder.message("every folder under data/stages/ that holds tickets is read by a route");
            builder.up();
            return;
        }
        StringBuilder message = new StringBuilder();
        folders.forEach((stage, tickets) -> {
            builder.detail("stranded." + stage, tickets);
            message.append(message.length() == 0 ? "" : "; ").append(advice.apply(stage, tickets));
        });
        builder.message(message.toString());
        builder.down();
    }
}
