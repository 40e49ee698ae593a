package edu.niu.igait.logging;

import java.util.regex.Pattern;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * {@code igait.replica.name}: which of the service's replicas this process is (default {@code local},
 * the one-machine service). Every log line names it (log4j2.xml reads the system property of that name:
 * after the level in the plain layout, {@code service.node.name} in the JSON one), and so does every
 * alert. It goes into URLs and into the job store (the replica that holds a job's volume), so it is
 * a short DNS label: a StatefulSet's pod name ({@code igait-0}) is one.
 */
public final class Replica {

    public static final String PROPERTY = "igait.replica.name";
    public static final String DEFAULT = "local";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?");

    private Replica() {
    }

    /** Whether {@code name} is a replica's name: lower-case letters, digits and inner '-', at most 32. */
    public static boolean isValid(String name) {
        return name != null && LABEL.matcher(name).matches();
    }

    /**
     * Checks the name and makes the log lines carry it from now on.
     *
     * @return the name (the default for an empty value), or null when it is not one (the caller refuses to start)
     */
    public static String apply(String value) {
        String name = value == null || value.isBlank() ? DEFAULT : value.trim();
        if (!isValid(name)) {
            return null;
        }
        String current = System.getProperty(PROPERTY);
        if (!name.equals(current)) {
            System.setProperty(PROPERTY, name);
            // log4j2.xml's own default is local: nothing to redo for the one-machine service.
            if (!(current == null && name.equals(DEFAULT)) && LogManager.getContext(false) instanceof LoggerContext context) {
                context.reconfigure();
            }
        }
        return name;
    }

    /** The name a checked value stands for: the default when it is empty. */
    public static String of(String value) {
        return value == null || value.isBlank() ? DEFAULT : value.trim();
    }

    /** What a refused name is told: one line naming the property. */
    public static String refusal(String value) {
        return PROPERTY + " must be a short name of lower-case letters, digits and inner '-' (at most 32, a DNS label"
                + " such as igait-0), got '" + value + "'";
    }
}
