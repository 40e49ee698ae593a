package edu.niu.igait.dev;

import java.util.List;
import java.util.Properties;

import edu.niu.igait.app.IgaitMain;
import edu.niu.igait.config.StartupException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Starts the dev run: the service as the jar runs it ({@link IgaitMain}), in the dev profile, with the
 * local stand-ins ({@link DevPeers}) added ahead of the service's own configuration and their views
 * ({@value #DEV_ROUTES}: {@code /dev/mail}, {@code /dev/metis}, {@code /dev/db}) added to the routes.
 * The profile is {@code dev} unless {@code -Dcamel.main.profile} names one that includes it. A start-up
 * failure ends the process with exit code 2 and one line that names the cause, as the jar does.
 */
public final class DevRun {

    /** The dev views' routes, beside these classes (src/dev/resources), never in the product. */
    public static final String DEV_ROUTES = "classpath:dev-routes/*.yaml";
    static final String ROUTES_PATTERN = "camel.main.routes-include-pattern";

    private DevRun() {
    }

    public static void main(String[] args) {
        int code;
        Main main = null;
        try {
            main = create(System.getProperties());
            endsWithItsParent(main);
            code = main.run(args);
        } catch (Throwable e) {
            System.err.println("iGait dev run failed to start: " + StartupException.describe(e));
            // Nothing left to stop: Camel's shutdown hook is told so, or it would log a stop nobody asked for.
            if (main != null) {
                main.completed();
            }
            System.exit(2);
            return;
        }
        System.exit(code);
    }

    /**
     * The dev run stops, as on SIGTERM, when the process that started it ends: Maven (exec:exec@dev
     * waits for it, but does not stop it when Maven itself is stopped or killed), or a test. Its
     * stand-ins stop with it (S3Proxy, its own JVM, through ParentWatch).
     */
    static void endsWithItsParent(Main main) {
        long parent = parentPid();
        if (parent <= 1) {
            return;
        }
        // Watched by its pid changing (the orphan is handed to init or a subreaper) rather than by
        // ProcessHandle.onExit, which takes a parent that has ended but is not reaped yet for alive.
        Thread watch = new Thread(() -> {
            while (parentPid() == parent) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("iGait dev run: the process that started it (pid " + parent + ") is gone: stopping");
            main.completed();
        }, "dev-run-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static long parentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
    }

    /** The dev run's Main; {@code overrides} as for {@link IgaitMain#create(Properties)}. */
    public static Main create(Properties overrides) {
        Properties own = new Properties();
        for (String name : overrides.stringPropertyNames()) {
            own.setProperty(name, overrides.getProperty(name));
        }
        String profile = own.getProperty(IgaitMain.PROFILE, "");
        if (profile.isBlank()) {
            own.setProperty(IgaitMain.PROFILE, "dev");
        } else if (!List.of(profile.split(",")).stream().map(String::trim).toList().contains("dev")) {
            throw new StartupException(IgaitMain.PROFILE + "=" + profile + ": the dev run runs the dev profile;"
                    + " leave " + IgaitMain.PROFILE + " out or include dev");
        }
        Main main = IgaitMain.create(own, List.of(DevPeers.class));
        main.addMainListener(new DevRoutes());
        return main;
    }

    /** The routes pattern with the dev views added (once). */
    static String withDevRoutes(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return DEV_ROUTES;
        }
        for (String entry : pattern.split(",")) {
            if (entry.trim().equals(DEV_ROUTES)) {
                return pattern;
            }
        }
        return pattern + "," + DEV_ROUTES;
    }

    /**
     * Adds the dev views to the routes pattern in force, wherever it comes from (the properties files or
     * -D), after the service's start-up checks have read it and before Camel loads the routes.
     */
    static final class DevRoutes extends MainListenerSupport {

        @Override
        public void beforeConfigure(BaseMainSupport main) {
            PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
            String pattern = withDevRoutes(properties.resolveProperty(ROUTES_PATTERN).orElse(null));
            properties.addOverrideProperty(ROUTES_PATTERN, pattern);
            // Camel Main reads camel.main.* system properties over every other source: a -D pattern gets them too.
            for (String name : new String[] {ROUTES_PATTERN, "camel.main.routesIncludePattern"}) {
                if (System.getProperty(name) != null) {
                    System.setProperty(name, withDevRoutes(System.getProperty(name)));
                }
            }
        }
    }
}
