package edu.niu.igait.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import edu.niu.igait.config.StartupException;

/**
 * At most {@code count} events per key in any {@code window} (a sliding window: the times of the
 * last events are kept). {@link #waitSeconds} says how long until one more fits, {@link #record}
 * records one.
 */
public final class RateWindow {

    private static final Pattern FORMAT = Pattern.compile("\\s*([0-9]{1,9})\\s*/\\s*(\\S+)\\s*");
    /** Keys kept before expired ones are swept out, so that many callers cannot grow the map without end. */
    private static final int SWEEP_ABOVE = 10_000;

    private final int count;
    private final long windowNanos;
    private final Map<String, ArrayDeque<Long>> events = new HashMap<>();

    public RateWindow(int count, Duration window) {
        this.count = count;
        this.windowNanos = window.toNanos();
    }

    /**
     * A limit written as {@code <count>/<duration>}, e.g. {@code 5/1h}, {@code 20/30m}.
     *
     * @throws StartupException naming the property when the value is not one
     */
    public static RateWindow parse(String property, String value) {
        Matcher m = FORMAT.matcher(value == null ? "" : value);
        Duration window = null;
        if (m.matches()) {
            try {
                window = org.apache.camel.util.TimeUtils.toDuration(m.group(2));
            } catch (RuntimeException e) {
                window = null;
            }
        }
        if (window == null || window.isZero() || window.isNegative() || Integer.parseInt(m.group(1)) < 1) {
            throw new StartupException(property + " must be <count>/<duration> with a count of at least 1, such as 5/1h or 20/30m;"
                    + " got '" + value + "'");
        }
        return new RateWindow(Integer.parseInt(m.group(1)), window);
    }

    public int count() {
        return count;
    }

    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    /** The window as people say it: "1 hour", "30 minutes". */
    public String windowText() {
        return RateWindowText.of(window());
    }

    /** Seconds until one more event for {@code key} fits, 0 if one fits now (nothing recorded). */
    public synchronized long waitSeconds(String key) {
        return waitSeconds(key, 0, 0);
    }

    /**
     * Seconds until one more event for {@code key} fits beside {@code pending} events that may yet be
     * recorded (uploads under way), 0 if one fits now (nothing recorded). When only the pending ones
     * fill the window, {@code pendingWait} (they may end without counting).
     */
    public synchronized long waitSeconds(String key, int pending, long pendingWait) {
        return waitSeconds(key, pending, pendingWait, java.util.List.of());
    }

    /**
     * As above, beside events recorded elsewhere ({@code others}, how long ago each was: another replica's,
     * from the job store), which count as this window's own while they are younger than the window.
     */
    public synchronized long waitSeconds(String key, int pending, long pendingWait, java.util.List<Duration> others) {
        long now = System.nanoTime();
        ArrayDeque<Long> times = events.get(key);
        java.util.List<Long> all = new java.util.ArrayList<>();
        if (times != null) {
            expire(times, now);
            all.addAll(times);
        }
        for (Duration ago : others) {
            if (ago.toNanos() < windowNanos) {
                all.add(now - Math.max(0, ago.toNanos()));
            }
        }
        int recorded = all.size();
        if (recorded + pending < count) {
            return 0;
        }
        if (recorded < count) {
            return Math.max(1, pendingWait);
        }
        // One more fits once all but count - 1 of them have left the window.
        java.util.Collections.sort(all);
        long wait = all.get(recorded - count) + windowNanos - now;
        return Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    }

    /** Records an event for {@code key} and returns 0, or returns the seconds until one more would fit (nothing recorded). */
    public synchronized long tryAcquire(String key) {
        long wait = waitSeconds(key, 0, 0);
        if (wait == 0) {
            record(key);
        }
        return wait;
    }

    /** Records an event for {@code key}, whether or not the window had room (it was reserved beforehand). */
    public synchronized void record(String key) {
        long now = System.nanoTime();
        if (events.size() > SWEEP_ABOVE) {
            sweep(now);
        }
        ArrayDeque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        expire(times, now);
        times.addLast(now);
    }

    private void expire(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
    }

    private void sweep(long now) {
        for (Iterator<ArrayDeque<Long>> it = events.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Long> times = it.next();
            expire(times, now);
            if (times.isEmpty()) {
                it.remove();
            }
        }
    }
}
