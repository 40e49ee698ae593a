package edu.niu.igait.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One source for defaults: the classpath application.properties declares every property a route or the
 * code reads, and a key the service does not have stops start-up, naming it.
 */
class UnknownPropertiesTest {

    @TempDir
    Path work;

    @Test
    void aMistypedKeyStopsStartUpInOneLineNamingItWhereItWasAndTheKeyMeant() {
        try (ServiceProcess service = ServiceProcess.start(Map.of("igait.limits.per-usr", "1/1h"))) {
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(service.logText().lines()).contains("iGait backend failed to start: unknown property igait.limits.per-usr"
                    + " (given with -D): the service has no such setting; did you mean igait.limits.per-user? (every property is"
                    + " declared with its default in the classpath application.properties; an integrator's own go under igait.custom.)");
            // Refused before anything is made: no data folder, no route started, no shutdown nobody asked for.
            assertThat(service.logText()).doesNotContain("Started ").doesNotContain("shutdown hook triggered");
        }
    }

    @Test
    void theWorkingDirectorysFileIsCheckedToo() throws IOException {
        Files.writeString(work.resolve("application.properties"), "igait.mail.hots = smtp.example.org\n");
        DefaultCamelContext context = context("file:" + work.resolve("application.properties") + ";optional=true,"
                + "classpath:application.properties;optional=true", new Properties());
        assertThatThrownBy(() -> UnknownProperties.check(context)).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("unknown property igait.mail.hots (in ")
                .hasMessageContaining("did you mean igait.mail.host?");
    }

    @Test
    void aMistypedCamelMainKeyStopsStartUpNamingTheFileTheKeyAndCamelsOwnOption() throws IOException {
        Files.writeString(work.resolve("application.properties"), "camel.main.shutdwon-timeout = 30\n");
        DefaultCamelContext context = context("file:" + work.resolve("application.properties") + ";optional=true,"
                + "classpath:application.properties;optional=true", new Properties());
        assertThatThrownBy(() -> UnknownProperties.check(context)).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("unknown property camel.main.shutdwon-timeout (in " + work.resolve("application.properties") + ")")
                .hasMessageContaining("Camel has no such option; did you mean camel.main.shutdown-timeout?");

        // Given with -D to the service, written as Camel's catalog writes it: the suggestion is in that form too.
        assertThatThrownBy(() -> TestService.start(Map.of("camel.server.maxBodySiz", "1024")).close())
                .hasMessageContaining("unknown property camel.server.maxBodySiz (given with -D): Camel has no such option;"
                        + " did you mean camel.server.maxBodySize?")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void declaredKeysTheOpenFamiliesAndCamelsOwnKeysPass() {
        Properties given = new Properties();
        given.setProperty("igait.limits.per-user", "9/1h");
        given.setProperty("igait.stage.2b-audit.concurrency", "3");
        given.setProperty("igait.status.unavailable.metis", "the cluster is resting");
        // An integrator's own settings, for their routes.
        given.setProperty("igait.custom.webhook-url", "https://lab.example.org/hook");
        given.setProperty("lab.webhook-token", "anything outside igait.* and Camel's groups");
        // Camel's options however they are written, a map option's keys, and Camel's other families (its own to check).
        given.setProperty("camel.main.shutdownTimeout", "30");
        given.setProperty("camel.main.SHUTDOWN-timeout", "30");
        given.setProperty("camel.main.global-options[CamelLogDebugBodyMaxChars]", "100");
        given.setProperty("camel.component.http.connect-timeout", "5000");
        assertThatCode(() -> UnknownProperties.check(context(IgaitMain.locations(null), given))).doesNotThrowAnyException();

        // A profile's defaults declare its own keys: the dev run's are known only with the dev profile.
        Properties dev = new Properties();
        dev.setProperty("igait.dev.s3-port", "9100");
        assertThatThrownBy(() -> UnknownProperties.check(context(IgaitMain.locations(null), dev))).hasMessageContaining("igait.dev.s3-port");
        dev.setProperty(IgaitMain.PROFILE, "dev");
        assertThatCode(() -> UnknownProperties.check(context(IgaitMain.locations("dev"), dev))).doesNotThrowAnyException();
    }

    @Test
    void everyPropertyARouteUsesIsDeclaredInTheDefaults() throws IOException {
        Set<String> declared = UnknownProperties.declared(List.of());
        Pattern placeholder = Pattern.compile("\\{\\{((?:igait|camel)\\.[A-Za-z0-9.-]+)(:[^}]*)?}}");
        List<String> undeclared = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Matcher m = placeholder.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1));
                    if (m.group(2) != null) {
                        undeclared.add(file + ": " + m.group() + " (a default in a route: declare it in application.properties)");
                    } else if (!declared.contains(m.group(1))) {
                        undeclared.add(file + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(used).contains("igait.mail.host", "igait.mail.from", "igait.s3.bucket", "igait.stage.2-store.concurrency");
        assertThat(undeclared).isEmpty();
    }

    @Test
    void theWorkingDirectorysFileOnlyOverrides() throws IOException {
        // The project's application.properties ships with no setting: the defaults are in the jar.
        Properties top = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            top.load(in);
        }
        assertThat(top).isEmpty();
        assertThat(UnknownProperties.declared(List.of())).contains("igait.data-dir", "igait.mail.host", "igait.metis.key-file",
                "igait.auth.project-id", "camel.main.routes-include-pattern");
    }

    @Test
    void theReadmesConfigurationTableGivesTheDefaultsTheServiceHas() throws IOException {
        // Rows naming one property with one default in backticks: the README must say what the jar does.
        Properties defaults = new Properties();
        try (InputStream in = UnknownPropertiesTest.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        }
        Pattern row = Pattern.compile("^\\| `((?:igait|camel)\\.[a-z0-9.-]+)` \\| `([^`]*)` \\|", Pattern.MULTILINE);
        Matcher m = row.matcher(Files.readString(Path.of("README.md")));
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        while (m.find()) {
            checked++;
            String actual = defaults.getProperty(m.group(1));
            if (actual != null && !actual.trim().equals(m.group(2))) {
                wrong.add(m.group(1) + ": README `" + m.group(2) + "`, defaults `" + actual.trim() + "`");
            }
        }
        assertThat(checked).isGreaterThan(30);
        assertThat(wrong).isEmpty();
    }

    @Test
    void nearestKeyIsOnlySuggestedWhenClose() {
        Set<String> known = Set.of("igait.mail.host", "igait.mail.port", "igait.limits.per-user");
        assertThat(UnknownProperties.nearest("igait.mail.hots", known)).isEqualTo("igait.mail.host");
        assertThat(UnknownProperties.nearest("igait.something.else.entirely", known)).isNull();
    }

    private static DefaultCamelContext context(String locations, Properties overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(locations);
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context;
    }
}
