package edu.niu.igait.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import com.google.firebase.internal.FirebaseProcessEnvironment;
import edu.niu.igait.completion.AccessKey;
import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.Cidr;
import edu.niu.igait.http.ServerTls;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * The prod profile ({@code camel.main.profile=prod}, the container's) starts only when it is safe on a
 * public address. Before anything is configured or touched on disk it refuses, with one line naming
 * the setting to fix: plain HTTP on an address other than loopback (unless
 * {@code igait.http.trusted-proxies} names the proxy that ends TLS), mail in clear text to another
 * host, a mail certificate check switched off, the embedded job store, uploads without sign-in, a
 * Realtime Database emulator in the environment, a missing or guessable access key (each key of it
 * shorter than 16 characters, or one character repeated), and trusted proxies in a range that is not
 * private (0.0.0.0/0 or ::/0 would let anyone write the address the per-address limits count).
 */
final class ProdProfile extends MainListenerSupport {

    static final String EMULATOR_ENV = "FIREBASE_DATABASE_EMULATOR_HOST";
    static final int MIN_ACCESS_KEY_LENGTH = 16;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        Settings settings = new Settings(main.getCamelContext());
        if (!isProd(settings)) {
            return;
        }
        // The SDK reads the emulator's address through its own view of the environment (tests can set it in-process).
        List<String> refusals = refusals(settings, FirebaseProcessEnvironment::getenv);
        if (!refusals.isEmpty()) {
            throw new StartupException(String.join("; and ", refusals));
        }
    }

    static boolean isProd(Settings settings) {
        return settings.optional(IgaitMain.PROFILE).map(IgaitMain::profiles).map(p -> p.contains("prod")).orElse(false);
    }

    /** What the prod profile refuses in these settings and this environment, one sentence each, naming the setting. */
    static List<String> refusals(Settings settings, Function<String, String> env) {
        List<String> refused = new ArrayList<>();
        String prefix = "the prod profile refuses ";

        String host = settings.get("camel.server.host");
        if (settings.bool("camel.server.enabled") && !isLoopback(host) && !ServerTls.configured(settings)
                && settings.optional("igait.http.trusted-proxies").isEmpty()) {
            refused.add(prefix + "camel.server.host=" + host + " without TLS: tokens and children's data would cross the network in"
                    + " clear; serve HTTPS (" + ServerTls.CERT + " and " + ServerTls.KEY + ", or " + ServerTls.KEYSTORE + "), or name the"
                    + " proxy that ends TLS in igait.http.trusted-proxies, or bind camel.server.host to 127.0.0.1");
        }

        String security = settings.get("igait.mail.security").toLowerCase(Locale.ROOT);
        Optional<String> mailHost = settings.optional("igait.mail.host");
        if (security.equals("none") && mailHost.isPresent() && !isLoopback(mailHost.get())) {
            refused.add(prefix + "igait.mail.security=none to " + mailHost.get() + ": parents' addresses and results would cross the"
                    + " network in clear; use starttls or ssl");
        }

        Optional<String> trust = settings.optional("igait.mail.ssl-trust");
        if (trust.isPresent() && List.of(trust.get().split("[\\s,]+")).contains("*")) {
            refused.add(prefix + "igait.mail.ssl-trust=" + trust.get() + ": any certificate would pass for the mail server's; leave it"
                    + " empty (the CAs decide) or name the mail host");
        }

        String store = settings.get("igait.store");
        if (store.equalsIgnoreCase("local")) {
            refused.add(prefix + "igait.store=local: the app reads its jobs from the Realtime Database; set igait.store=firebase");
        }

        String auth = settings.get("igait.auth.mode");
        if (auth.equalsIgnoreCase("none")) {
            refused.add(prefix + "igait.auth.mode=none: anyone could upload as anyone; set igait.auth.mode=firebase and"
                    + " igait.auth.project-id");
        }

        String emulator = env.apply(EMULATOR_ENV);
        if (emulator != null && !emulator.isBlank()) {
            refused.add(prefix + "the environment variable " + EMULATOR_ENV + " (" + emulator + "): jobs would go to a database"
                    + " emulator instead of the Realtime Database; unset it");
        }

        Optional<String> key = settings.secret(AccessKey.ENV, AccessKey.PROPERTY);
        List<String> keys = key.map(AccessKey::keys).orElse(List.of());
        if (keys.isEmpty()) {
            refused.add(prefix + "to start without the access key Metis presents on POST /api/v1/completion: set the environment"
                    + " variable " + AccessKey.ENV + " (or the property " + AccessKey.PROPERTY + ")");
        }
        for (String k : keys) {
            // Never the key itself: its length, and which of the comma-separated keys.
            String which = keys.size() > 1 ? "key " + (keys.indexOf(k) + 1) + " of " + keys.size() + " in " : "";
            if (k.length() < MIN_ACCESS_KEY_LENGTH) {
                refused.add(prefix + "an access key of " + k.length() + " characters (" + which + AccessKey.ENV + " or "
                        + AccessKey.PROPERTY + "): use at least " + MIN_ACCESS_KEY_LENGTH + " random ones, e.g. openssl rand -hex 32");
            } else if (k.chars().distinct().count() == 1) {
                refused.add(prefix + "an access key of one character repeated (" + which + AccessKey.ENV + " or "
                        + AccessKey.PROPERTY + "): use at least " + MIN_ACCESS_KEY_LENGTH + " random ones, e.g. openssl rand -hex 32");
            }
        }

        for (Cidr proxy : Cidr.parseList("igait.http.trusted-proxies", settings.get("igait.http.trusted-proxies"))) {
            if (!proxy.isPrivate()) {
                refused.add(prefix + "igait.http.trusted-proxies containing " + proxy.given() + ": it is not a private range, so clients"
                        + " on the internet could write X-Forwarded-For and pick the address every per-address limit counts; name"
                        + " the proxy in front (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, ::1, fc00::/7)");
            }
        }
        return refused;
    }

    /** Loopback by its literal or by name (localhost); a name that does not resolve is not. */
    static boolean isLoopback(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
