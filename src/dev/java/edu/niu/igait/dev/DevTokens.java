package edu.niu.igait.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Uid;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The dev run's sign-in: Firebase-style ID tokens (RS256, {@code iss}
 * {@code https://securetoken.google.com/<project>}, {@code aud} the project, {@code sub} the uid)
 * signed by a key of its own, made on the first run ({@value #KEY_FILE} under {@code data/dev/auth},
 * readable by its owner only) and published beside it as {@value #JWKS_FILE}, which the service in the
 * dev profile reads as its {@code igait.auth.keys-url}. So the dev run checks tokens exactly as
 * production checks Google's, and {@code GET /dev/token?uid=<uid>} (from 127.0.0.1 only) hands one out.
 */
public final class DevTokens {

    static final String KEY_FILE = "signing-key.jwk";
    static final String JWKS_FILE = "jwks.json";

    private final RSAKey key;
    private final String project;
    private final Duration validity;
    private final Clock clock;
    private final Path jwks;

    private DevTokens(RSAKey key, String project, Duration validity, Clock clock, Path jwks) {
        this.key = key;
        this.project = project;
        this.validity = validity;
        this.clock = clock;
        this.jwks = jwks;
    }

    /** The key under {@code dir}, made there on the first run; its public JWKS (re)written beside it. */
    public static DevTokens loadOrCreate(Path dir, String project, Duration validity) {
        Path keyFile = dir.resolve(KEY_FILE);
        try {
            Files.createDirectories(dir);
            RSAKey key;
            if (Files.exists(keyFile)) {
                JWK jwk = JWK.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
                if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
                    throw new StartupException(keyFile.toAbsolutePath() + " is not the dev run's RSA signing key: delete it to make a new one");
                }
                key = rsa;
            } else {
                key = new RSAKeyGenerator(2048).keyID("igait-dev-" + UUID.randomUUID()).keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.RS256).generate();
                Path temp = dir.resolve("." + KEY_FILE + ".tmp");
                Files.deleteIfExists(temp);
                Files.createFile(temp);
                try {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // the folder's own protection has to do
                }
                Files.writeString(temp, key.toJSONString(), StandardCharsets.UTF_8);
                DurableFiles.move(temp, keyFile);
            }
            Path jwks = dir.resolve(JWKS_FILE);
            DurableFiles.write(jwks, new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8));
            return new DevTokens(key, project, validity, Clock.systemUTC(), jwks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the dev signing key under " + dir.toAbsolutePath(), e);
        } catch (ParseException | JOSEException e) {
            throw new StartupException(keyFile.toAbsolutePath() + " cannot be read as a signing key (" + e.getMessage()
                    + "): delete it to make a new one");
        }
    }

    /** The public key set the service checks tokens against. */
    public Path jwks() {
        return jwks;
    }

    public String project() {
        return project;
    }

    /** A token for {@code uid}, valid from now for the configured time. */
    public String token(String uid) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("https://securetoken.google.com/" + project)
                .audience(project)
                .subject(uid)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(validity)))
                .claim("auth_time", now.getEpochSecond())
                .claim("user_id", uid)
                .claim("firebase", Map.of("identities", Map.of(), "sign_in_provider", "custom"))
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a dev token", e);
        }
    }

    /** {@code GET /dev/token?uid=<uid>}: a token for that uid, to callers on this machine only. */
    public Map<String, Object> issue(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        SocketAddress remote = request.remoteAddress();
        if (remote == null || !isLoopback(remote.hostAddress())) {
            throw new RequestRejected(403, "forbidden", null, "dev tokens are handed out to callers on 127.0.0.1 only");
        }
        List<String> uids = request.params().getAll("uid");
        if (uids.size() != 1 || !Uid.isValid(uids.get(0))) {
            throw RequestRejected.badRequest("invalid_field", "uid", "give one uid: ?uid=demo-parent (1 to 128 of A-Z a-z 0-9 _ -)");
        }
        String uid = uids.get(0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uid", uid);
        body.put("token", token(uid));
        body.put("expiresIn", validity.toSeconds());
        body.put("use", "Authorization: Bearer <token>");
        return body;
    }

    private static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
