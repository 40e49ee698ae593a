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
        boolean enabled = Boolean.parseBoolean(
                context.getPropertiesComponent().resolveProperty("camel.server.enabled").orElse("false"));
        if (!enabled) {
            return;
        }
        String portText = context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080");
        String host = context.getPropertiesComponent().resolveProperty("camel.server.host").orElse("0.0.0.0");
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new StartupException("camel.server.port must be a number, got '" + portText + "'");
        }
        if (port == 0) {
            return;
        }
        // Vert.x only logs a warning when it cannot bind: find out first, while we can still refuse to start.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new StartupException("camel.server.port " + port + " on " + host + " is not available ("
                    + e.getMessage() + "): stop what uses it or choose another port");
        }
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
