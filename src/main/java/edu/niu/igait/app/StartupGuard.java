package edu.niu.igait.app;

import edu.niu.igait.config.StartupException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Fails start-up with a message naming the property to fix, where Camel would only log a warning
 * (a taken port) or keep an empty JVM running (a missing routes folder).
 */
final class StartupGuard extends MainListenerSupport {

    static final String ROUTES_PATTERN = "camel.main.routes-include-pattern";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        String pattern = context.getPropertiesComponent().resolveProperty(ROUTES_PATTERN).orElse(null);
        if (pattern == null || pattern.isBlank()) {
            throw new StartupException(ROUTES_PATTERN + " is not set: it must name the YAML routes, e.g. file:routes/**/*.yaml");
        }
        for (String entry : pattern.split(",")) {
            String e = entry.trim();
            if (!e.startsWith("file:")) {
                continue;
            }
            String path = e.substring("file:".length());
            int wildcard = indexOfWildcard(path);
            Path dir = Path.of(wildcard < 0 ? path : path.substring(0, Math.max(0, path.lastIndexOf('/', wildcard))));
            if (wildcard < 0 ? !Files.isRegularFile(dir) : !Files.isDirectory(dir)) {
                throw new StartupException("routes not found: " + dir.toAbsolutePath()
                        + " does not exist (run from the project folder, or fix " + ROUTES_PATTERN + ")");
            }
        }
    }

    @Override
    public void beforeStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        int api = -1;
        if (enabled(context, "camel.server.enabled")) {
            api = checkPort(context, "camel.server", "8080");
        }
        if (enabled(context, "camel.management.enabled")) {
            int management = checkPort(context, "camel.management", "9876");
            if (management != 0 && management == api) {
                throw new StartupException("camel.management.port must differ from camel.server.port (" + api
                        + "): health and metrics are served apart from the public API");
            }
        }
    }

    private static boolean enabled(CamelContext context, String property) {
        return Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty(property).orElse("false").trim());
    }

    /** {@code <prefix>.port} on {@code <prefix>.host} can be bound (0: any free port); returns the port. */
    private static int checkPort(CamelContext context, String prefix, String defaultPort) {
        String portText = context.getPropertiesComponent().resolveProperty(prefix + ".port").orElse(defaultPort);
        String host = context.getPropertiesComponent().resolveProperty(prefix + ".host").orElse("0.0.0.0");
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new StartupException(prefix + ".port must be a number, got '" + portText + "'");
        }
        if (port == 0) {
            return 0;
        }
        // Vert.x only logs a warning when it cannot bind: find out first, while we can still refuse to start.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host.trim()), port));
        } catch (IOException e) {
            throw new StartupException(prefix + ".port " + port + " on " + host + " is not available ("
                    + e.getMessage() + "): stop what uses it or choose another port");
        }
        return port;
    }

    private static int indexOfWildcard(String path) {
        int star = path.indexOf('*');
        int question = path.indexOf('?');
        if (star < 0) {
            return question;
        }
        return question < 0 ? star : Math.min(star, question);
    }
}
