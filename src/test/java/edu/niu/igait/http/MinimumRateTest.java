package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import edu.niu.igait.config.StartupException;
import org.junit.jupiter.api.Test;

/**
 * The rate floor's arithmetic, step by step as the upload reader calls it (every tenth of the window):
 * nothing is judged before a whole window has passed, then the last window must carry the rate's worth,
 * and a pause the service made starts the window again.
 */
class MinimumRateTest {

    /** 16 KiB/s over 30 s: 480 KiB a window, a step every 3 s. */
    final MinimumRate rate = new MinimumRate(16 * 1024, Duration.ofSeconds(30));

    @Test
    void aClientIsJudgedOnlyOnceAWholeWindowHasPassedThenOnTheLastWindow() {
        assertThat(rate.stepMs()).isEqualTo(3000);
        MinimumRate.Meter meter = rate.meter();
        assertThat(meter.tooSlow(0, false)).isFalse();
        long sent = 0;
        for (int step = 1; step < 10; step++) {
            assertThat(meter.tooSlow(sent, false)).as("step " + step + ": within the first window").isFalse();
        }
        // 30 s and nothing: too slow.
        assertThat(meter.tooSlow(0, false)).isTrue();

        MinimumRate.Meter steady = rate.meter();
        steady.tooSlow(0, false);
        for (int step = 1; step <= 40; step++) {
            sent += 16 * 1024 * 3;
            assertThat(steady.tooSlow(sent, false)).as("exactly the rate, step " + step).isFalse();
        }
        MinimumRate.Meter fast = rate.meter();
        fast.tooSlow(0, false);
        sent = 0;
        for (int step = 1; step <= 40; step++) {
            sent += 2 * 16 * 1024 * 3;
            assertThat(fast.tooSlow(sent, false)).as("twice the rate, step " + step).isFalse();
        }
        // Then a trickle: judged on the last 30 s, not since the start; six steps in, the window holds
        // four fast steps, short of the rate's worth.
        for (int step = 1; step <= 5; step++) {
            assertThat(fast.tooSlow(sent += 100, false)).as("trickle step " + step).isFalse();
        }
        assertThat(fast.tooSlow(sent += 100, false)).isTrue();
    }

    @Test
    void timeTheServiceHeldTheReadingBackDoesNotCount() {
        MinimumRate.Meter meter = rate.meter();
        meter.tooSlow(0, false);
        for (int step = 1; step <= 25; step++) {
            // paused every few steps (the disk behind): the window starts again each time
            assertThat(meter.tooSlow(step * 10L, step % 8 == 0)).isFalse();
        }
        assertThat(new MinimumRate(0, Duration.ofSeconds(30)).off()).isTrue();
    }

    @Test
    void aWindowUnderASecondStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> MinimumRate.of("igait.http.body-min-rate", 1024, "igait.http.body-min-rate-window", Duration.ofMillis(500)))
                .isInstanceOf(StartupException.class).hasMessageContaining("igait.http.body-min-rate-window");
        assertThat(MinimumRate.of("igait.http.body-min-rate", 0, "igait.http.body-min-rate-window", Duration.ZERO).off()).isTrue();
    }
}
