package edu.niu.igait.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import edu.niu.igait.logging.Subsystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RSA public keys Firebase ID tokens are signed with, by key id, from a JWKS document
 * ({@code igait.auth.keys-url}: Google's over HTTPS, or a {@code file:} one). Kept as long as the
 * answer's {@code Cache-Control: max-age} says (five minutes without one); fetched again when a token
 * names a key id not among them (Google rotates its keys), but at most once per refresh interval
 * ({@code igait.auth.keys-refresh-interval}, default {@link #MIN_REFRESH_INTERVAL}), so a flood of
 * tokens with made-up key ids cannot hammer the key server. When a fetch fails, the keys held are kept.
 */
public final class SigningKeys {

    public static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern MAX_AGE = Pattern.compile("(?i)(?:^|[,\\s])max-age\\s*=\\s*\"?([0-9]{1,10})");
    private static final Logger LOG = LoggerFactory.getLogger("igait.auth");

    private final URI url;
    private final Clock clock;
    private final Duration refreshInterval;
    private final HttpClient client;

    private Map<String, RSAPublicKey> keys = Map.of();
    private Instant expires = Instant.MIN;
    private Instant lastFetch = Instant.MIN;
    private int fetches;

    public SigningKeys(URI url, Duration refreshInterval, Clock clock) {
        this.url = url;
        this.refreshInterval = refreshInterval;
        this.clock = clock;
        this.client = "file".equalsIgnoreCase(url.getScheme()) ? null
                : HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Fetches made so far (for tests of the rate limit). */
    public synchronized int fetches() {
        return fetches;
    }

    /**
     * The key with this id, fetching the set again when the cached one has expired or lacks it (at
     * most once per refresh interval).
     *
     * @throws KeysUnavailable when no key set could ever be had
     */
    public synchronized Optional<RSAPublicKey> key(String kid) {
        Instant now = clock.instant();
        boolean stale = now.isAfter(expires);
        boolean unknown = !keys.containsKey(kid);
        if ((stale || unknown) && (fetches == 0 || !now.isBefore(lastFetch.plus(refreshInterval)))) {
            fetch(now);
        }
        if (keys.isEmpty() && fetches > 0 && expires.equals(Instant.MIN)) {
            throw new KeysUnavailable("the token signing keys could not be fetched from " + printable());
        }
        return Optional.ofNullable(keys.get(kid));
    }

    private void fetch(Instant now) {
        lastFetch = now;
        fetches++;
        try {
            Fetched fetched = read();
            Map<String, RSAPublicKey> parsed = new HashMap<>();
            for (JWK jwk : JWKSet.parse(fetched.body).getKeys()) {
                if (jwk.getKeyType() == KeyType.RSA && jwk.getKeyID() != null && !jwk.isPrivate()) {
                    parsed.put(jwk.getKeyID(), ((RSAKey) jwk).toRSAPublicKey());
                } else if (jwk.getKeyType() == KeyType.RSA && jwk.getKeyID() != null) {
                    parsed.put(jwk.getKeyID(), ((RSAKey) jwk).toPublicJWK().toRSAPublicKey());
                }
            }
            keys = Map.copyOf(parsed);
            expires = now.plus(fetched.maxAge);
            LOG.info(Subsystem.INTAKE, "token signing keys fetched from {}: {} key(s), kept {} s", printable(), keys.size(),
                    fetched.maxAge.toSeconds());
        } catch (IOException | java.text.ParseException | JOSEException | RuntimeException e) {
            LOG.warn(Subsystem.INTAKE, "cannot fetch the token signing keys from {}: {}{}", printable(), e.toString(),
                    keys.isEmpty() ? "" : " (the " + keys.size() + " key(s) held are kept)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Fetched read() throws IOException, InterruptedException {
        if (client == null) {
            return new Fetched(Files.readString(Path.of(url), StandardCharsets.UTF_8), DEFAULT_MAX_AGE);
        }
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        Duration maxAge = DEFAULT_MAX_AGE;
        for (String cacheControl : response.headers().allValues("Cache-Control")) {
            Matcher m = MAX_AGE.matcher(cacheControl);
            if (m.find()) {
                maxAge = Duration.ofSeconds(Long.parseLong(m.group(1)));
            }
        }
        return new Fetched(response.body(), maxAge);
    }

    private String printable() {
        return url.getScheme() + "://" + (url.getHost() == null ? "" : url.getHost()) + url.getPath();
    }

    private record Fetched(String body, Duration maxAge) {
    }

    /** No signing keys could be had at all: tokens cannot be checked, the service is not at fault of the client. */
    public static final class KeysUnavailable extends RuntimeException {
        KeysUnavailable(String message) {
            super(message);
        }
    }
}
