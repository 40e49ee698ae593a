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

    private static final java.util.regex.Pattern ROUTE = java.util.regex.Pattern.compile(
            "route:? ([^ ]+?)\\s*\\(source: (?:file:)?([^)]+)\\)", java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * The most useful one-line description of a start-up failure: ours if there is one, else the root
     * cause, prefixed with the route and its file and line when a route could not be made or started.
     */
    public static String describe(Throwable e) {
        Set<Throwable> seen = new HashSet<>();
        Throwable root = e;
        String where = null;
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof StartupException) {
                return t.getMessage();
            }
            if (where == null && t instanceof org.apache.camel.FailedToCreateRouteException f && f.getRouteId() != null) {
                where = "route " + f.getRouteId() + (f.getLocation() == null ? "" : " (" + f.getLocation() + ")");
            }
            java.util.regex.Matcher m = ROUTE.matcher(String.valueOf(t.getMessage()));
            if (where == null && m.find()) {
                where = "route " + m.group(1) + " (" + m.group(2) + ")";
            }
            root = t;
        }
        if (where != null) {
            String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            return (where + ": " + message).replaceAll("\\s+", " ").trim();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != e && e.getMessage() != null && !e.getMessage().contains(message)) {
            message = e.getMessage() + ": " + message;
        }
        return message.replaceAll("\\s+", " ").trim();
    }

    /**
     * As {@link #describe(Throwable)}, and where a route failed without saying where it is defined, the
     * route's file and line from the context's model.
     */
    public static String describe(Throwable e, org.apache.camel.CamelContext context) {
        String line = describe(e);
        if (context == null) {
            return line;
        }
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String id = t instanceof org.apache.camel.FailedToCreateRouteException f ? f.getRouteId()
                    : t instanceof org.apache.camel.FailedToStartRouteException f ? f.getRouteId() : null;
            if (id == null) {
                continue;
            }
            try {
                org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
                org.apache.camel.model.RouteDefinition def = model == null ? null : model.getRouteDefinition(id);
                if (def != null && def.getLocation() != null && line.startsWith("route " + id + ":")) {
                    String where = def.getLocation().replaceFirst("^file:", "") + (def.getLineNumber() > 0 ? ":" + def.getLineNumber() : "");
                    return "route " + id + " (" + where + ")" + line.substring(("route " + id).length());
                }
            } catch (RuntimeException ignored) {
                // the plain line still names the route
            }
            break;
        }
        return line;
    }
}
