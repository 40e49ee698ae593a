package edu.niu.igait.http;

import java.time.Duration;

import edu.niu.igait.config.StartupException;

/**
 * The slowest a body may arrive ({@code igait.http.body-min-rate} over {@code igait.http.body-min-rate-window}):
 * from the end of the first window on, the bytes received in the last window must average at least the
 * rate. A client that sends a byte now and then to hold an upload slot is cut off; one on a slow phone
 * link is not (16 KiB/s is far below what a phone that can upload a video at all sends). Time the
 * service itself held the reading back (the disk behind, the memory budget spent) never counts against
 * the client: a pause starts the window again.
 */
public final class MinimumRate {

    /** Samples per window: the window slides in steps of a tenth. */
    static final int STEPS = 10;

    private final long bytesPerSecond;
    private final long windowMs;

    public MinimumRate(long bytesPerSecond, Duration window) {
        this.bytesPerSecond = bytesPerSecond;
        this.windowMs = window.toMillis();
    }

    /**
     * @throws StartupException naming the properties when the window is shorter than 1 s (with a rate)
     */
    public static MinimumRate of(String rateProperty, long bytesPerSecond, String windowProperty, Duration window) {
        if (bytesPerSecond < 0) {
            throw new StartupException(rateProperty + " must be 0 (off) or a size per second such as 16KiB, got " + bytesPerSecond);
        }
        if (bytesPerSecond > 0 && window.toMillis() < 1000) {
            throw new StartupException(windowProperty + " must be at least 1s, got " + window.toMillis() + " ms");
        }
        return new MinimumRate(bytesPerSecond, window);
    }

    public boolean off() {
        return bytesPerSecond <= 0;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    public Duration window() {
        return Duration.ofMillis(windowMs);
    }

    /** How often a {@link Meter} is to be told what has arrived. */
    public long stepMs() {
        return Math.max(1, windowMs / STEPS);
    }

    /** The least a client must send in one window. */
    long perWindow() {
        return bytesPerSecond * windowMs / 1000;
    }

    /** A meter for one body, told the bytes received so far every {@link #stepMs()}, from the moment its reading began. */
    public Meter meter() {
        return new Meter();
    }

    /** One body's samples over the last window. Used on one thread (the request's event loop). */
    public final class Meter {
        private final long[] samples = new long[STEPS + 1];
        private int count;
        private int next;

        /**
         * A step: {@code received} bytes so far; {@code heldBack} whether the service paused the reading at any
         * time since the last step (the window then starts again).
         *
         * @return true when a whole window has passed and the client sent less than the rate's worth in it
         */
        public boolean tooSlow(long received, boolean heldBack) {
            if (heldBack) {
                count = 0;
            }
            samples[next] = received;
            next = (next + 1) % samples.length;
            if (count < samples.length) {
                count++;
            }
            if (off() || count < samples.length) {
                return false;
            }
            long windowStart = samples[next];
            return received - windowStart < perWindow();
        }
    }
}
