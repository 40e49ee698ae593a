package edu.niu.igait.logging;

import java.util.Locale;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * {@code igait.log.format}: {@code plain} (one line per step, for a terminal; the default) or
 * {@code json} (one JSON object per line, ECS field names, the job's ids as fields). log4j2.xml chooses
 * its console layout by the system property of that name; the service sets it from its properties
 * before anything logs, so every line of a run has the same format.
 */
public final class LogFormat {

    public static final String PROPERTY = "igait.log.format";
    public static final String PLAIN = "plain";
    public static final String JSON = "json";

    private LogFormat() {
    }

    /**
     * Checks the format and switches the console to it if it is not in force yet.
     *
     * @return the format, or null when {@code value} is neither plain nor json (the caller refuses to start)
     */
    public static String apply(String value) {
        String format = value == null || value.isBlank() ? PLAIN : value.trim().toLowerCase(Locale.ROOT);
        if (!format.equals(PLAIN) && !format.equals(JSON)) {
            return null;
        }
        String current = System.getProperty(PROPERTY, PLAIN).trim().toLowerCase(Locale.ROOT);
        if (!current.equals(format)) {
            System.setProperty(PROPERTY, format);
            if (LogManager.getContext(false) instanceof LoggerContext context) {
                context.reconfigure();
            }
        }
        return format;
    }
}
