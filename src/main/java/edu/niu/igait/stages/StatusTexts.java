package edu.niu.igait.stages;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import edu.niu.igait.job.Contribution;

/**
 * The status values the app shows, from the {@code igait.status.*} properties ({@code ${name}} is
 * filled in), and a research contribution's, from {@code igait.contribute.status.*}. A peer may have its
 * own wording: {@code igait.status.unavailable.mail} over {@code igait.status.unavailable}.
 */
public final class StatusTexts {

    private final Function<String, String> property;

    /** @param property the value of a property, or null when it is not set */
    public StatusTexts(Function<String, String> property) {
        this.property = property;
        for (String key : new String[] {"recording", "queued", "processing", "unavailable", "retrying", "failed", "gave-up",
            "complete", "inference-failed", "result-overdue", "stage-failed"}) {
            text("igait.status." + key);
        }
        for (Contribution.Code code : Contribution.Code.values()) {
            text(contributionKey(code));
        }
        text(CONTRIBUTION + "withdrawal-failed");
    }

    private static final String CONTRIBUTION = "igait.contribute.status.";

    /** A research contribution's status value for {@code code} ({@code ${reason}} filled in where the text has it). */
    public String contribution(Contribution.Code code, String reason) {
        return fill(text(contributionKey(code)), Map.of("reason", String.valueOf(reason)));
    }

    /** What a contribution whose withdrawal failed for good shows, while its ticket waits in data/failed/. */
    public String withdrawalFailed() {
        return fill(text(CONTRIBUTION + "withdrawal-failed"), Map.of());
    }

    private static String contributionKey(Contribution.Code code) {
        return CONTRIBUTION + code.name().toLowerCase(Locale.ROOT);
    }

    public String recording() {
        return fill(text("igait.status.recording"), Map.of());
    }

    public String queued() {
        return fill(text("igait.status.queued"), Map.of());
    }

    public String processing(String pbsId) {
        return fill(text("igait.status.processing"), Map.of("pbsId", pbsId));
    }

    /** Why a job waits or failed when its peer is down: {@code S3 unavailable}. */
    public String unavailable(String peer) {
        String own = peer == null ? null : property.apply("igait.status.unavailable." + peer.toLowerCase(Locale.ROOT));
        return own != null ? fill(own, Map.of("peer", peer)) : fill(text("igait.status.unavailable"), Map.of("peer", String.valueOf(peer)));
    }

    public String retrying(String reason) {
        return fill(text("igait.status.retrying"), Map.of("reason", reason));
    }

    public String failed(String reason) {
        return fill(text("igait.status.failed"), Map.of("reason", reason));
    }

    public String gaveUp(String reason) {
        return fill(text("igait.status.gave-up"), Map.of("reason", reason));
    }

    /** The note a job's history gets when a stage whose give-up policy is note fails for good (its status stays). */
    public String stageFailed(String stage, String reason) {
        return fill(text("igait.status.stage-failed"), Map.of("stage", String.valueOf(stage), "reason", reason));
    }

    /** The value job.json keeps for a final status: the status endpoint shows no medical data, so no score. */
    public String complete() {
        return fill(text("igait.status.complete"), Map.of());
    }

    public String inferenceFailed() {
        return fill(text("igait.status.inference-failed"), Map.of());
    }

    public String resultOverdue(String pbsId, String waited) {
        return fill(text("igait.status.result-overdue"), Map.of("pbsId", pbsId == null ? "?" : pbsId, "waited", waited));
    }

    private String text(String key) {
        String value = property.apply(key);
        if (value == null) {
            throw new edu.niu.igait.config.StartupException("property " + key + " is required: the status value the app shows");
        }
        return value;
    }

    private static String fill(String text, Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", e.getValue());
        }
        return text;
    }
}
