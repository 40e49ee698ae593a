package edu.niu.igait.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A key server as Google runs one for Firebase ID tokens: a JWKS document over HTTP on 127.0.0.1
 * with {@code Cache-Control: max-age}, keys that can be rotated, and the tokens a test needs, good and
 * bad, signed here.
 */
public final class KeyServer implements AutoCloseable {

    public static final String PROJECT = "igait-test";

    private final HttpServer server;
    private final List<RSAKey> published = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile RSAKey current;

    private KeyServer() {
        current = newKey();
        published.add(current);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jwks", exchange -> {
            requests.incrementAndGet();
            byte[] body;
            synchronized (this) {
                body = new JWKSet(new ArrayList<>(published)).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "public, max-age=3600, must-revalidate, no-transform");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static KeyServer start() {
        return new KeyServer();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** How many times the key set was fetched. */
    public int requests() {
        return requests.get();
    }

    /** Publishes a new key (beside the old ones, as Google does) and signs new tokens with it. */
    public synchronized void rotate() {
        current = newKey();
        published.add(current);
    }

    /** A valid token for {@code uid}, signed by the current key. */
    public String token(String uid) {
        return sign(current, claims(uid).build());
    }

    /** The claims of a valid token, to spoil. */
    public static JWTClaimsSet.Builder claims(String uid) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer("https://securetoken.google.com/" + PROJECT)
                .audience(PROJECT)
                .subject(uid)
                .issueTime(Date.from(now.minusSeconds(10)))
                .expirationTime(Date.from(now.plusSeconds(3600)))
                .claim("auth_time", now.minusSeconds(10).getEpochSecond());
    }

    /** These claims, signed RS256 by the current key. */
    public String token(JWTClaimsSet claims) {
        return sign(current, claims);
    }

    /** Signed by a key the server never published, under a key id it does not know. */
    public String tokenOfUnknownKey(String uid) {
        return sign(newKey(), claims(uid).build());
    }

    /** Signed by a key the server never published, under the key id of the current one. */
    public String tokenOfOtherKeySameKid(String uid) {
        try {
            RSAKey other = new RSAKeyGenerator(2048).keyID(current.getKeyID()).generate();
            return sign(other, claims(uid).build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alg: none}: header and claims, no signature. */
    public String tokenAlgNone(String uid) {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + current.getKeyID() + "\"}").toString();
        String payload = Base64URL.encode(claims(uid).build().toString()).toString();
        return header + "." + payload + ".";
    }

    /** HS256 with the published public key's encoding as the HMAC secret (the classic confusion). */
    public String tokenHs256WithPublicKey(String uid) {
        try {
            byte[] secret = current.toRSAPublicKey().getEncoded();
            byte[] padded = secret.length >= 32 ? secret : java.util.Arrays.copyOf(secret, 32);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(current.getKeyID()).build(), claims(uid).build());
            jwt.sign(new MACSigner(padded));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token whose payload was changed afterwards (another uid), the signature kept. */
    public String tokenTampered(String uid, String otherUid) {
        String[] parts = token(uid).split("\\.");
        String payload = Base64URL.encode(claims(otherUid).build().toString()).toString();
        return parts[0] + "." + payload + "." + parts[2];
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The current key's public JWKS, for a {@code file:} keys URL. */
    public synchronized String jwks() {
        return new JWKSet(new ArrayList<>(published)).toPublicJWKSet().toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
