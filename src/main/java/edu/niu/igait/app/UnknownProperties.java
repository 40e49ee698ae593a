package edu.niu.igait.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.OrderedLocationProperties;

/**
 * An {@code igait.*} key that the service does not have stops start-up, naming it, where it was given
 * and the nearest key the service has: a typo such as {@code igait.limits.per-usr} would otherwise
 * leave the default in force without a word. So does a key of one of Camel Main's own groups
 * ({@code camel.main.*}, {@code camel.server.*}, {@code camel.management.*}, {@code camel.health.*},
 * {@code camel.metrics.*}, ...) that Camel does not have, with the nearest option from Camel's own
 * catalog ({@value #CATALOG}, in camel-main's jar): Camel would stop too, but with "Error binding
 * property", no file and no suggestion.
 *
 * <p>The keys the service has are those its defaults declare (the classpath {@code application.properties}
 * and {@code application-<profile>.properties} of the active profiles), and the open families a route
 * or a stage added in YAML may use: {@code igait.stage.<stage>.concurrency},
 * {@code igait.status.unavailable.<peer>}, and {@code igait.custom.*}, an integrator's own settings for
 * their routes. Keys of neither family (an integrator's {@code lab.webhook-url}, Camel's
 * {@code camel.component.*}) are not checked here.
 */
final class UnknownProperties extends MainListenerSupport {

    static final String PREFIX = "igait.";
    /** Camel Main's catalog of its options: groups ({@code camel.main}, {@code camel.server}, ...) and their properties. */
    static final String CATALOG = "/META-INF/camel-main-configuration-metadata.json";
    private static final List<Pattern> OPEN = List.of(
            Pattern.compile("igait\\.stage\\.[A-Za-z0-9_-]+\\.concurrency"),
            Pattern.compile("igait\\.status\\.unavailable\\.[a-z0-9_-]+"),
            Pattern.compile("igait\\.custom\\.[A-Za-z0-9_.-]+"));

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
                    + " (every property is declared with its default in the classpath application.properties;"
                    + " an integrator's own go under igait.custom.)");
        }
        CamelCatalog catalog = CamelCatalog.load();
        Properties camel = context.getPropertiesComponent().loadProperties(k -> k.startsWith("camel."));
        for (String key : new TreeSet<>(camel.stringPropertyNames())) {
            if (!catalog.covers(key) || catalog.knows(key)) {
                continue;
            }
            String where = camel instanceof OrderedLocationProperties located ? origin(located.getLocation(key)) : "";
            String nearest = catalog.nearest(key);
            throw new StartupException("unknown property " + key + where + ": Camel has no such option"
                    + (nearest == null ? "" : "; did you mean " + nearest + "?") + " (Camel's own options are listed in camel-main's "
                    + CATALOG.substring(1) + ")");
        }
    }

    /**
     * Camel Main's options, as its catalog lists them (camelCase; Camel binds them without regard to case
     * or dashes, so {@code camel.main.shutdown-timeout} is {@code camel.main.shutdownTimeout}).
     */
    static final class CamelCatalog {
        private final List<String> groups;
        private final Map<String, String> options;
        private final List<String> maps;

        private CamelCatalog(List<String> groups, Map<String, String> options, List<String> maps) {
            this.groups = groups;
            this.options = options;
            this.maps = maps;
        }

        static CamelCatalog load() {
            try (InputStream in = UnknownProperties.class.getResourceAsStream(CATALOG)) {
                if (in == null) {
                    throw new StartupException("Camel's catalog of options, " + CATALOG.substring(1) + ", is missing from the class path");
                }
                JsonNode root = new ObjectMapper().readTree(in);
                List<String> groups = new ArrayList<>();
                root.path("groups").forEach(g -> groups.add(g.path("name").asText() + "."));
                groups.sort(Comparator.comparingInt(String::length).reversed());
                Map<String, String> options = new HashMap<>();
                List<String> maps = new ArrayList<>();
                root.path("properties").forEach(p -> {
                    String name = p.path("name").asText();
                    options.put(normal(name), name);
                    if (p.path("javaType").asText().startsWith("java.util.Map")) {
                        maps.add(normal(name));
                    }
                });
                return new CamelCatalog(groups, options, maps);
            } catch (IOException e) {
                throw new StartupException("cannot read Camel's catalog of options " + CATALOG.substring(1) + ": " + e.getMessage(), e);
            }
        }

        /** Whether the key is in one of the catalog's groups (camel.component.* and the like are not). */
        boolean covers(String key) {
            return group(key) != null;
        }

        boolean knows(String key) {
            String normal = normal(key);
            if (options.containsKey(normal)) {
                return true;
            }
            // A map option takes keys of its own: camel.main.global-options[key] or .key
            return maps.stream().anyMatch(m -> normal.startsWith(m + "[") || normal.startsWith(m + "."));
        }

        /** The option of the key's group closest to it, written as the key is (dashes, or camelCase). */
        String nearest(String key) {
            String group = group(key);
            String normal = normal(key);
            String best = options.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(normal(group)) && e.getKey().indexOf('.', normal(group).length()) < 0)
                    .min(Comparator.comparingInt(e -> distance(normal, e.getKey())))
                    .filter(e -> distance(normal, e.getKey()) <= Math.max(2, normal.length() / 5))
                    .map(Map.Entry::getValue).orElse(null);
            if (best == null) {
                return null;
            }
            boolean dashed = key.substring(group.length()).contains("-") || key.substring(group.length()).equals(
                    key.substring(group.length()).toLowerCase(java.util.Locale.ROOT));
            return dashed ? group + best.substring(group.length()).replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT) : best;
        }

        private String group(String key) {
            for (String g : groups) {
                if (key.toLowerCase(java.util.Locale.ROOT).startsWith(g.toLowerCase(java.util.Locale.ROOT))) {
                    return key.substring(0, g.length());
                }
            }
            return null;
        }

        private static String normal(String key) {
            return key.replace("-", "").toLowerCase(java.util.Locale.ROOT);
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
