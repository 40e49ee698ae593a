package edu.niu.igait.app;

import edu.niu.igait.config.StartupException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import edu.niu.igait.logging.LogFormat;
import edu.niu.igait.logging.Replica;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;

/**
 * Builds the Camel Main that runs the service, the same way for the jar and for tests.
 *
 * <p>Properties come from {@code application.properties} in the working directory over classpath
 * defaults, with {@code application-<profile>.properties} over each; {@code -Dname=value} (or the
 * given overrides) win over all of them.
 */
public final class IgaitMain {

    public static final String PROFILE = "camel.main.profile";
    /** How a person starts the dev run (its stand-ins live in src/dev, never in the product). */
    public static final String DEV_RUN = "mvn -B -q -DskipTests test-compile exec:exec@dev";

    private IgaitMain() {
    }

    /**
     * @param overrides properties that win over the files: {@code System.getProperties()} for the jar,
     *                  a test's own settings in tests (only keys of ours and Camel's are taken)
     */
    public static Main create(Properties overrides) {
        return create(overrides, List.of());
    }

    /**
     * @param overrides as above
     * @param first     configuration classes added ahead of the service's own, in this order: the dev
     *                  run adds its local stand-ins here, which the pipeline's beans need started. The
     *                  dev profile starts only with them: without, it refuses and says how to start the dev run.
     */
    public static Main create(Properties overrides, List<Class<? extends CamelConfiguration>> first) {
        Main main = new Main();
        String profile = profile(overrides);
        List<String> profiles = profiles(profile);
        if (profiles.contains("dev") && profiles.contains("prod")) {
            throw new StartupException(PROFILE + "=" + profile + ": the dev profile runs local stand-ins with well-known"
                    + " credentials and never runs with prod; choose one");
        }
        if (profiles.contains("dev") && first.isEmpty()) {
            throw new StartupException(PROFILE + "=" + profile + ": the dev profile's local stand-ins are not part of the"
                    + " product; start the dev run from the project folder with: " + DEV_RUN);
        }
        main.setPropertyPlaceholderLocations(locations(profile));
        // Before anything logs: every line of the run in the one format.
        String format = earlyProperty(LogFormat.PROPERTY, overrides, profile);
        if (LogFormat.apply(format) == null) {
            throw new StartupException(LogFormat.PROPERTY + " must be plain or json, got '" + format + "'");
        }
        String replica = earlyProperty(Replica.PROPERTY, overrides, profile);
        if (Replica.apply(replica) == null) {
            throw new StartupException(Replica.refusal(replica));
        }
        Properties own = new Properties();
        for (String name : overrides.stringPropertyNames()) {
            if (name.startsWith("igait.") || name.startsWith("camel.")) {
                own.setProperty(name, overrides.getProperty(name));
            }
        }
        if (profile != null) {
            own.setProperty(PROFILE, profile);
        }
        main.setOverrideProperties(own);
        // Named explicitly: scanning the fat jar for configuration classes costs two seconds.
        for (Class<? extends CamelConfiguration> configuration : first) {
            main.configure().addConfiguration(configuration);
        }
        main.configure().addConfiguration(IgaitConfiguration.class);
        // -Dname=value over the environment over the files, before anything is read.
        main.addMainListener(new Precedence());
        // First: a key the service does not have (a typo), then an unsafe prod configuration, are
        // refused before anything else is read or made.
        main.addMainListener(new UnknownProperties());
        main.addMainListener(new ProdProfile());
        main.addMainListener(new StartupGuard());
        // Every expression, bean call and template of the routes compiled before anything starts.
        main.addMainListener(new RouteCheck());
        main.addMainListener(new ServerLimits());
        main.addMainListener(new ObservabilityBeans.MeterRegistryFirst());
        return main;
    }

    /** The active profile: -D / override, then env CAMEL_MAIN_PROFILE, then application.properties. */
    static String profile(Properties overrides) {
        String p = overrides.getProperty(PROFILE);
        if (p == null || p.isBlank()) {
            p = System.getenv("CAMEL_MAIN_PROFILE");
        }
        if (p == null || p.isBlank()) {
            p = readProfile(Path.of("application.properties"));
        }
        if (p == null || p.isBlank()) {
            try (InputStream in = IgaitMain.class.getResourceAsStream("/application.properties")) {
                if (in != null) {
                    Properties props = new Properties();
                    props.load(in);
                    p = props.getProperty(PROFILE);
                }
            } catch (IOException e) {
                throw new StartupException("cannot read classpath application.properties: " + e.getMessage(), e);
            }
        }
        return p == null || p.isBlank() ? null : p.trim();
    }

    /**
     * A property needed before Camel reads its properties (the log format): the overrides, the
     * environment variable Camel would take for it (IGAIT_LOG_FORMAT for igait.log.format), then the
     * files in the order Camel reads them.
     */
    static String earlyProperty(String name, Properties overrides, String profile) {
        String value = overrides.getProperty(name);
        if (value == null) {
            value = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        for (String location : locations(profile).split(",")) {
            if (value != null) {
                break;
            }
            String where = location.substring(0, location.indexOf(';'));
            Properties props = new Properties();
            try (InputStream in = where.startsWith("file:") ? (Files.isRegularFile(Path.of(where.substring(5)))
                    ? Files.newInputStream(Path.of(where.substring(5))) : null)
                    : IgaitMain.class.getResourceAsStream("/" + where.substring("classpath:".length()))) {
                if (in != null) {
                    props.load(in);
                }
            } catch (IOException e) {
                throw new StartupException("cannot read " + where + ": " + e.getMessage(), e);
            }
            value = props.getProperty(name);
        }
        return value;
    }

    private static String readProfile(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new StartupException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return props.getProperty(PROFILE);
    }

    /** The profiles named in {@code camel.main.profile} (comma-separated), in order. */
    static List<String> profiles(String profile) {
        List<String> profiles = new ArrayList<>();
        if (profile != null) {
            for (String p : profile.split(",")) {
                if (!p.isBlank()) {
                    profiles.add(p.trim());
                }
            }
        }
        return profiles;
    }

    /** First location wins in Camel's properties component. */
    static String locations(String profile) {
        List<String> list = new ArrayList<>();
        List<String> profiles = profiles(profile);
        for (String p : profiles) {
            list.add("file:application-" + p + ".properties;optional=true");
        }
        list.add("file:application.properties;optional=true");
        for (String p : profiles) {
            list.add("classpath:application-" + p + ".properties;optional=true");
        }
        list.add("classpath:application.properties;optional=true");
        return String.join(",", list);
    }
}
