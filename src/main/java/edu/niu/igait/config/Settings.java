package edu.niu.igait.config;

import java.util.Optional;

import org.apache.camel.CamelContext;

/** Reads the service's properties, failing start-up with a message that names the property to fix. */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public Optional<String> optional(String name) {
        return context.getPropertiesComponent().resolveProperty(name).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String get(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    public String required(String name, String hint) {
        return optional(name).orElseThrow(() -> new StartupException("property " + name + " is required: " + hint));
    }

    public long longValue(String name, long defaultValue) {
        String text = get(name, Long.toString(defaultValue));
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new StartupException("property " + name + " must be a whole number, got '" + text + "'");
        }
    }

    public int intValue(String name, int defaultValue) {
        long v = longValue(name, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new StartupException("property " + name + " is out of range: " + v);
        }
        return (int) v;
    }

    public boolean bool(String name, boolean defaultValue) {
        String text = get(name, Boolean.toString(defaultValue));
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new StartupException("property " + name + " must be true or false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    /** A duration as Camel writes them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, {@code 1h30m} or plain milliseconds. */
    public java.time.Duration duration(String name, String defaultValue) {
        String text = get(name, defaultValue);
        try {
            return org.apache.camel.util.TimeUtils.toDuration(text);
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
