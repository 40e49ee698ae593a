package edu.niu.igait.http;

import java.time.Duration;

/** A window's length as people say it: "1 hour", "30 minutes". */
final class RateWindowText {

    private RateWindowText() {
    }

    static String of(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 86400 == 0) {
            return plural(s / 86400, "day");
        }
        if (s > 0 && s % 3600 == 0) {
            return plural(s / 3600, "hour");
        }
        if (s > 0 && s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        return plural(s, "second");
    }

    private static String plural(long n, String unit) {
        return n == 1 ? unit : n + " " + unit + "s";
    }
}
