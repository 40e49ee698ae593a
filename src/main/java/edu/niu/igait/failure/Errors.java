package edu.niu.igait.failure;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** One-line, secret-free descriptions of errors, and the peer an error names. */
public final class Errors {

    private Errors() {
    }

    /** The innermost cause as {@code Type: message}, on one line of at most 200 characters. */
    public static String summary(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        Throwable root = error;
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            root = t;
        }
        String m = root.getMessage() == null ? "" : redact(root.getMessage()).replaceAll("\\s+", " ").strip();
        if (m.length() > 200) {
            m = m.substring(0, 200) + "...";
        }
        return root.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[^\\s<>\"'@,;:()]+@[^\\s<>\"',;:()]+");

    /** A message without the mail addresses a peer may quote (a parent's address is personal data). */
    public static String redact(String message) {
        return message == null ? null : ADDRESS.matcher(message).replaceAll("<address>");
    }

    /** The peer a {@link PeerRefused} or {@link PeerUnavailable} in the chain names. */
    public static Optional<String> peer(Throwable error) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof PeerRefused r) {
                return Optional.of(r.peer());
            }
            if (t instanceof PeerUnavailable u) {
                return Optional.of(u.peer());
            }
        }
        return Optional.empty();
    }

    /** The reason a permanent failure gives ({@link PeerRefused} or {@link MalformedJob}), if it is one. */
    public static Optional<String> permanentReason(Throwable error) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof PeerRefused || t instanceof MalformedJob) {
                return Optional.ofNullable(t.getMessage());
            }
        }
        return Optional.empty();
    }
}
