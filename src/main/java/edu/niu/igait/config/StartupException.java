package edu.niu.igait.config;

import java.util.HashSet;
import java.util.Set;

/** A start-up failure an operator can act on; its message names what to fix. */
public class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The most useful one-line description of a start-up failure: ours if there is one, else the root cause. */
    public static String describe(Throwable e) {
        Set<Throwable> seen = new HashSet<>();
        Throwable root = e;
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof StartupException) {
                return t.getMessage();
            }
            root = t;
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != e && e.getMessage() != null && !e.getMessage().contains(message)) {
            message = e.getMessage() + ": " + message;
        }
        return message.replaceAll("\\s+", " ").trim();
    }
}
