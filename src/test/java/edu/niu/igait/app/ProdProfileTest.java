package edu.niu.igait.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.google.firebase.internal.FirebaseProcessEnvironment;
import edu.niu.igait.config.Settings;
import edu.niu.igait.support.ServiceProcess;
import edu.niu.igait.support.TestService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prod profile refuses each unsafe setting at start-up, with one line naming it, before the data
 * folder is touched; a safe configuration passes. The services here start with the project's
 * application.properties and application-prod.properties, as the container does.
 */
class ProdProfileTest {

    static final String KEY = "prod-test-access-key-5b1c7d9e";

    @TempDir
    Path dir;

    /** A prod configuration that passes every check (the service would then go on to need its peers). */
    static Map<String, String> safe() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("camel.main.profile", "prod");
        p.put("camel.server.host", "127.0.0.1");
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", "igait-test");
        p.put("igait.access-key", KEY);
        p.put("igait.mail.host", "smtp.example.org");
        return p;
    }

    /** Starts the service in prod with these settings over {@link #safe()}: it must refuse, naming {@code property}. */
    private void refuses(Map<String, String> bad, String property) {
        Map<String, String> p = safe();
        p.putAll(bad);
        Path data = dir.resolve("data-" + property.replaceAll("[^a-z]", ""));
        p.put("igait.data-dir", data.toString());
        assertThatThrownBy(() -> TestService.start(p).close()).as(bad.toString())
                .hasMessageContaining("the prod profile refuses").hasMessageContaining(property)
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        assertThat(data).as("refused before the data folder was made").doesNotExist();
    }

    @Test
    void plainHttpOnAPublicAddressIsRefused() {
        refuses(Map.of("camel.server.host", "0.0.0.0"), "camel.server.host");
    }

    @Test
    void mailInClearTextToAnotherHostIsRefused() {
        refuses(Map.of("igait.mail.security", "none"), "igait.mail.security");
    }

    @Test
    void mailWhoseCertificateIsNotCheckedIsRefused() {
        refuses(Map.of("igait.mail.ssl-trust", "*"), "igait.mail.ssl-trust");
        refuses(Map.of("igait.mail.ssl-trust", "smtp.example.org *"), "igait.mail.ssl-trust");
    }

    @Test
    void theEmbeddedJobStoreIsRefused() {
        refuses(Map.of("igait.store", "local"), "igait.store");
    }

    @Test
    void uploadsWithoutSignInAreRefused() {
        refuses(Map.of("igait.auth.mode", "none"), "igait.auth.mode");
    }

    @Test
    void aDatabaseEmulatorInTheEnvironmentIsRefused() {
        // As the Realtime Database SDK sees its environment (tests set it in-process; the real variable below).
        FirebaseProcessEnvironment.setenv(ProdProfile.EMULATOR_ENV, "127.0.0.1:9000");
        try {
            refuses(Map.of(), ProdProfile.EMULATOR_ENV);
        } finally {
            FirebaseProcessEnvironment.clearCache();
        }
    }

    @Test
    void aShortAccessKeyIsRefused() {
        refuses(Map.of("igait.access-key", "short-key-15chr"), "igait.access-key");
    }

    /** Each comma-separated key is measured, not the whole value; one repeated character is no key either. */
    @Test
    void anAccessKeyOfCommasAndOneCharacterOrOfOneRepeatedCharacterIsRefused() {
        refuses(Map.of("igait.access-key", ",,,,,,,,,,,,,,,a"), "igait.access-key");
        refuses(Map.of("igait.access-key", "zzzzzzzzzzzzzzzzzzzzzzzz"), "igait.access-key");
        Map<String, String> twoKeys = safe();
        twoKeys.put("igait.access-key", KEY + ",short");
        assertThat(ProdProfile.refusals(settings(twoKeys), name -> null)).singleElement().asString()
                .contains("key 2 of 2").contains("5 characters").doesNotContain("short");
        twoKeys.put("igait.access-key", KEY + ", " + KEY.toUpperCase());
        assertThat(ProdProfile.refusals(settings(twoKeys), name -> null)).isEmpty();
    }

    /** A trusted proxy is one's own: a range of the internet (or all of it) would let anyone pick the address the limits count. */
    @Test
    void trustedProxiesOutsidePrivateRangesAreRefused() {
        refuses(Map.of("igait.http.trusted-proxies", "0.0.0.0/0"), "igait.http.trusted-proxies containing 0.0.0.0/0");
        for (String range : List.of("::/0", "8.8.8.0/24", "10.0.0.0/8, 203.0.113.9", "172.0.0.0/8", "2001:db8::/32")) {
            Map<String, String> p = safe();
            p.put("igait.http.trusted-proxies", range);
            assertThat(ProdProfile.refusals(settings(p), name -> null)).as(range).singleElement().asString()
                    .contains("igait.http.trusted-proxies containing").contains("not a private range");
        }
        for (String range : List.of("10.0.0.5/32", "172.16.0.0/12", "192.168.1.0/24", "127.0.0.1", "::1", "fd12:3456::/48",
                "::ffff:10.1.2.3")) {
            Map<String, String> p = safe();
            p.put("igait.http.trusted-proxies", range);
            assertThat(ProdProfile.refusals(settings(p), name -> null)).as(range).isEmpty();
        }
    }

    @Test
    void severalRefusalsAreSaidTogetherOnOneLine() {
        Map<String, String> p = safe();
        p.put("igait.store", "local");
        p.put("igait.auth.mode", "none");
        p.put("igait.data-dir", dir.resolve("data").toString());
        assertThatThrownBy(() -> TestService.start(p).close())
                .hasMessageContaining("igait.store=local").hasMessageContaining("igait.auth.mode=none")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    /** The jar as the container runs it, with the real environment variable: exit code 2 and one line on the console. */
    @Test
    void theJarPrintsOneLineNamingTheSettingAndExits() {
        Map<String, String> p = safe();
        p.put("igait.data-dir", dir.resolve("data").toString());
        try (ServiceProcess service = ServiceProcess.start(p, Map.of(ProdProfile.EMULATOR_ENV, "127.0.0.1:9000"))) {
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            List<String> failed = service.logText().lines().filter(l -> l.contains("failed to start")).toList();
            assertThat(failed).singleElement().asString().contains(ProdProfile.EMULATOR_ENV).contains("prod profile refuses");
        }
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aSafeConfigurationPassesAndSoDoTlsAtAProxyLoopbackMailAndNamedHosts() throws IOException {
        assertThat(ProdProfile.refusals(settings(safe()), name -> null)).isEmpty();

        Map<String, String> behindProxy = safe();
        behindProxy.put("camel.server.host", "0.0.0.0");
        behindProxy.put("igait.http.trusted-proxies", "10.0.0.0/8");
        assertThat(ProdProfile.refusals(settings(behindProxy), name -> null)).isEmpty();

        Map<String, String> ownTls = safe();
        ownTls.put("camel.server.host", "0.0.0.0");
        ownTls.put("igait.http.tls.cert", "/run/secrets/tls/fullchain.pem");
        ownTls.put("igait.http.tls.key", "/run/secrets/tls/privkey.pem");
        assertThat(ProdProfile.refusals(settings(ownTls), name -> null)).isEmpty();

        Map<String, String> localRelay = safe();
        localRelay.put("igait.mail.security", "none");
        localRelay.put("igait.mail.host", "localhost");
        localRelay.put("igait.mail.ssl-trust", "smtp.example.org");
        assertThat(ProdProfile.refusals(settings(localRelay), name -> null)).isEmpty();

        // The prod profile's defaults (in the jar) set what they must, and nothing the profile refuses.
        Properties prod = new Properties();
        try (InputStream in = ProdProfile.class.getResourceAsStream("/application-prod.properties")) {
            prod.load(in);
        }
        assertThat(prod.getProperty("igait.auth.mode")).isEqualTo("firebase");
        assertThat(prod.getProperty("igait.store")).isEqualTo("firebase");
        assertThat(prod.getProperty("igait.mail.security")).isEqualTo("starttls");
        assertThat(prod.getProperty("igait.mail.recipient")).isEqualTo("token");
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("-Dcamel.main.profile=prod");
    }

    @Test
    void otherProfilesAreNotChecked() {
        Map<String, String> p = safe();
        p.put("camel.main.profile", "test");
        p.put("igait.auth.mode", "none");
        assertThat(ProdProfile.isProd(settings(p))).isFalse();
        p.put("camel.main.profile", "test,prod");
        assertThat(ProdProfile.isProd(settings(p))).isTrue();
    }

    /** The settings a service would read: the project's properties files for the profile, these over them. */
    private static Settings settings(Map<String, String> overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(IgaitMain.locations(overrides.get(IgaitMain.PROFILE)));
        Properties props = new Properties();
        props.putAll(overrides);
        context.getPropertiesComponent().setOverrideProperties(props);
        return new Settings(context);
    }
}
