package edu.niu.igait.app;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import edu.niu.igait.http.RateWindow;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-user window of one replica with the uploads the others took, as the job store shows them: a
 * uid's jobs within the window that another replica (or a service too old to say) recorded count,
 * this replica's own do not (its window has them), and one more fits once enough have left the window;
 * the same for the requests of a kind (the history by mail) the others noted there.
 */
class StoredCountsTest {

    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    @Test
    void theOtherReplicasJobsWithinTheWindowCountAndThisOnesDoNot() {
        Map<String, Object> user = user(job("igait-b", 10), job("igait-a", 5), job(null, 20), job("igait-b", 70));
        assertThat(StoredCounts.others(user, "igait-a", NOW, HOUR))
                .containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(20));
        assertThat(StoredCounts.others(null, "igait-a", NOW, HOUR)).isEmpty();
        assertThat(StoredCounts.others(Map.of("uid", "x"), "igait-a", NOW, HOUR)).isEmpty();
    }

    @Test
    void theOtherReplicasNotedRequestsWithinTheWindowCountAndThisOnesDoNot() {
        Map<String, Object> requests = new LinkedHashMap<>();
        requests.put("igait-b-1", Map.of("at", NOW.minus(Duration.ofMinutes(15)).toString(), "replica", "igait-b"));
        requests.put("igait-a-2", Map.of("at", NOW.minus(Duration.ofMinutes(5)).toString(), "replica", "igait-a"));
        requests.put("igait-b-3", Map.of("at", NOW.minus(Duration.ofMinutes(75)).toString(), "replica", "igait-b"));
        requests.put("junk", Map.of("at", "yesterday", "replica", "igait-b"));
        assertThat(StoredCounts.othersRequests(requests, "igait-a", NOW, HOUR)).containsExactly(Duration.ofMinutes(15));
        assertThat(StoredCounts.othersRequests(Map.of(), "igait-a", NOW, HOUR)).isEmpty();
    }

    @Test
    void aWindowFullWithTheOthersUploadsWaitsUntilTheOldestLeavesIt() {
        RateWindow window = new RateWindow(3, HOUR);
        window.record("u");
        // One here and one elsewhere: one more fits.
        assertThat(window.waitSeconds("u", 0, 30, List.of(Duration.ofMinutes(10)))).isZero();
        // One here and two elsewhere, the oldest 50 minutes ago: it leaves the window in 10 minutes.
        long wait = window.waitSeconds("u", 0, 30, List.of(Duration.ofMinutes(10), Duration.ofMinutes(50)));
        assertThat(wait).isBetween(599L, 600L);
        // Older than the window: not counted.
        assertThat(window.waitSeconds("u", 0, 30, List.of(Duration.ofMinutes(61), Duration.ofMinutes(90)))).isZero();
        // An upload under way here fills it: the wait of one under way.
        assertThat(window.waitSeconds("u", 1, 30, List.of(Duration.ofMinutes(10)))).isEqualTo(30);
        // Another uid is not held by it.
        assertThat(window.waitSeconds("v", 0, 30, List.of())).isZero();
    }

    private static Map<String, Object> job(String replica, int minutesAgo) {
        Map<String, Object> job = new LinkedHashMap<>();
        Instant at = NOW.minus(Duration.ofMinutes(minutesAgo));
        job.put("timestamp", Map.of("secs_since_epoch", at.getEpochSecond(), "nanos_since_epoch", 0));
        if (replica != null) {
            job.put("replica", replica);
        }
        return job;
    }

    @SafeVarargs
    private static Map<String, Object> user(Map<String, Object>... jobs) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("uid", "u");
        user.put("jobs", new ArrayList<>(List.of(jobs)));
        return user;
    }
}
