package edu.niu.igait.auth;

import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import edu.niu.igait.job.Uid;

/**
 * Checks a Firebase ID token as Firebase documents it: a JWS signed RS256 by one of the keys of
 * {@link SigningKeys} (by its {@code kid}), issued by {@code https://securetoken.google.com/<project>}
 * for the audience {@code <project>}, not expired, issued and authenticated in the past (with
 * {@link #SKEW} for clocks that differ), and a subject that is a valid uid. Any other algorithm
 * ({@code none}, HS256 with the public key as its secret, ...) is refused before a key is looked at.
 * The token itself never goes into a message or a log.
 */
public final class IdTokens {

    public static final Duration SKEW = Duration.ofSeconds(60);
    public static final String ISSUER_PREFIX = "https://securetoken.google.com/";

    private final String projectId;
    private final SigningKeys keys;
    private final Clock clock;

    public IdTokens(String projectId, SigningKeys keys, Clock clock) {
        this.projectId = projectId;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Who a valid token was issued for: the uid ({@code sub}), and its {@code email} claim when
     * {@code email_verified} is true (null otherwise: an address Firebase never confirmed is anyone's).
     */
    public record Verified(String uid, String verifiedEmail) {
    }

    /**
     * The uid the token was issued for.
     *
     * @throws InvalidToken with what is wrong, fit for the client (never the token)
     * @throws SigningKeys.KeysUnavailable when no signing key could be had
     */
    public String uid(String token) {
        return verify(token).uid();
    }

    /**
     * The token's uid and verified email.
     *
     * @throws InvalidToken with what is wrong, fit for the client (never the token)
     * @throws SigningKeys.KeysUnavailable when no signing key could be had
     */
    public Verified verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidToken("the token is not a signed JWT");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidToken("the token must be signed with RS256");
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null || kid.isBlank()) {
            throw new InvalidToken("the token names no signing key (kid)");
        }
        Optional<RSAPublicKey> key = keys.key(kid);
        if (key.isEmpty()) {
            throw new InvalidToken("the token is signed by an unknown key");
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(key.get()))) {
                throw new InvalidToken("the token's signature is not valid");
            }
        } catch (JOSEException | RuntimeException e) {
            if (e instanceof InvalidToken invalid) {
                throw invalid;
            }
            throw new InvalidToken("the token's signature is not valid");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidToken("the token's claims cannot be read");
        }
        if (!(ISSUER_PREFIX + projectId).equals(claims.getIssuer())) {
            throw new InvalidToken("the token was not issued for this service's Firebase project (iss)");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || audience.size() != 1 || !projectId.equals(audience.get(0))) {
            throw new InvalidToken("the token is not meant for this service's Firebase project (aud)");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || !exp.toInstant().plus(SKEW).isAfter(now)) {
            throw new InvalidToken("the token has expired: sign in again");
        }
        Date iat = claims.getIssueTime();
        if (iat == null || iat.toInstant().minus(SKEW).isAfter(now)) {
            throw new InvalidToken("the token's issue time (iat) is missing or in the future");
        }
        Object authTime = claims.getClaim("auth_time");
        if (authTime instanceof Number seconds && Instant.ofEpochSecond(seconds.longValue()).minus(SKEW).isAfter(now)) {
            throw new InvalidToken("the token's sign-in time (auth_time) is in the future");
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isEmpty()) {
            throw new InvalidToken("the token names no user (sub)");
        }
        if (!Uid.isValid(sub)) {
            throw new InvalidToken("the token's user (sub) is not a uid the service accepts: " + Uid.RULE);
        }
        Object email = claims.getClaim("email");
        Object verified = claims.getClaim("email_verified");
        boolean isVerified = Boolean.TRUE.equals(verified);
        return new Verified(sub, isVerified && email instanceof String e && !e.isBlank() ? e.strip() : null);
    }

    /** A token that does not pass; its message says why, fit for the client. */
    public static final class InvalidToken extends RuntimeException {
        InvalidToken(String message) {
            super(message, null, false, false);
        }
    }
}
