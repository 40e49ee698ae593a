package edu.niu.igait.config;

import java.time.Duration;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.util.TimeUtils;

/**
 * Reads the service's properties, failing start-up with a message that names the property to fix.
 *
 * <p>Every property has its default in one place, the classpath {@code application.properties} (in
 * the jar); this class has none. A property read here that no file declares is a bug of ours, and
 * stops start-up naming it.
 */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    /** The value, or empty when it is unset or blank (an optional setting left empty in the defaults). */
    public Optional<String> optional(String name) {
        return context.getPropertiesComponent().resolveProperty(name).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** The value, possibly empty; the property must be declared (the defaults declare every one). */
    public String get(String name) {
        return context.getPropertiesComponent().resolveProperty(name).map(String::trim)
                .orElseThrow(() -> new StartupException("property " + name + " has no value and no default: the classpath"
                        + " application.properties declares every property of the service; set " + name));
    }

    public String required(String name, String hint) {
        return optional(name).orElseThrow(() -> new StartupException("property " + name + " is required: " + hint));
    }

    public long longValue(String name) {
        String text = get(name);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new StartupException("property " + name + " must be a whole number, got '" + text + "'");
        }
    }

    public int intValue(String name) {
        long v = longValue(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new StartupException("property " + name + " is out of range: " + v);
        }
        return (int) v;
    }

    public boolean bool(String name) {
        String text = get(name);
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new StartupException("property " + name + " must be true or false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    /** A duration as Camel writes them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, {@code 1h30m} or plain milliseconds. */
    public Duration duration(String name) {
        String text = get(name);
        try {
            return TimeUtils.toDuration(text);
        } catch (RuntimeException e) {
            throw new StartupException("property " + name + " must be a duration such as 500ms, 30s, 5m, 24h or 7d, got '" + text + "'");
        }
    }

    /** A secret: from the environment variable first, then the property (meant for tests and dev only). */
    public Optional<String> secret(String env, String property) {
        String value = System.getenv(env);
        if (value != null && !value.isBlank()) {
            return Optional.of(value.trim());
        }
        return optional(property);
    }
}
