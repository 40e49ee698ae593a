package edu.niu.igait.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.OrderedLocationProperties;

/**
 * An {@code igait.*} key that the service does not have stops start-up, naming it, where it was given
 * and the nearest key the service has: a typo such as {@code igait.limits.per-usr} would otherwise
 * leave the default in force without a word.
 *
 * <p>The keys the service has are those its defaults declare (the classpath {@code application.properties}
 * and {@code application-<profile>.properties} of the active profiles), and the open families a route
 * or a stage added in YAML may use: {@code igait.stage.<stage>.concurrency} and
 * {@code igait.status.unavailable.<peer>}. Camel's own {@code camel.*} keys are Camel's to check.
 */
final class UnknownProperties extends MainListenerSupport {

    static final String PREFIX = "igait.";
    private static final List<Pattern> OPEN = List.of(
            Pattern.compile("igait\\.stage\\.[A-Za-z0-9_-]+\\.concurrency"),
            Pattern.compile("igait\\.status\\.unavailable\\.[a-z0-9_-]+"));

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        check(main.getCamelContext());
    }

    /** Throws a StartupException naming the first unknown key (in name order) with where it came from. */
    static void check(CamelContext context) {
        List<String> profiles = IgaitMain.profiles(new Settings(context).optional(IgaitMain.PROFILE).orElse(null));
        Set<String> known = declared(profiles);
        Properties given = context.getPropertiesComponent().loadProperties(k -> k.startsWith(PREFIX));
        for (String key : new TreeSet<>(given.stringPropertyNames())) {
            if (known.contains(key) || OPEN.stream().anyMatch(p -> p.matcher(key).matches())) {
                continue;
            }
            String where = given instanceof OrderedLocationProperties located ? origin(located.getLocation(key)) : "";
            String nearest = nearest(key, known);
            throw new StartupException("unknown property " + key + where + ": the service has no such setting"
                    + (nearest == null ? "" : "; did you mean " + nearest + "?")
                    + " (every property is declared with its default in the classpath application.properties)");
        }
    }

    /** The keys the defaults declare for these profiles. */
    static Set<String> declared(List<String> profiles) {
        Set<String> keys = new TreeSet<>();
        List<String> files = new ArrayList<>();
        files.add("application.properties");
        for (String p : profiles) {
            files.add("application-" + p + ".properties");
        }
        for (String file : files) {
            try (InputStream in = UnknownProperties.class.getResourceAsStream("/" + file)) {
                if (in == null) {
                    if (file.equals("application.properties")) {
                        throw new StartupException("the service's defaults, application.properties, are missing from the class path");
                    }
                    continue;
                }
                Properties p = new Properties();
                p.load(in);
                keys.addAll(p.stringPropertyNames());
            } catch (IOException e) {
                throw new StartupException("cannot read the classpath " + file + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    private static String origin(String location) {
        if (location == null || location.isBlank()) {
            return "";
        }
        if (location.equals("override") || location.equals("initial")) {
            return " (given with -D)";
        }
        return " (in " + location + ")";
    }

    /** The declared key closest to this one, if it is close enough to be the one meant. */
    static String nearest(String key, Set<String> known) {
        return known.stream()
                .filter(k -> k.startsWith(PREFIX))
                .min(Comparator.comparingInt(k -> distance(key, k)))
                .filter(k -> distance(key, k) <= Math.max(2, key.length() / 5))
                .orElse(null);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
