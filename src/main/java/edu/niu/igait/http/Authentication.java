package edu.niu.igait.http;

import java.util.List;

import edu.niu.igait.auth.IdTokens;
import edu.niu.igait.auth.SigningKeys;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who uploads: in {@code igait.auth.mode=firebase} the uid of the Firebase ID token in
 * {@code Authorization: Bearer}, checked from the request's headers alone, before any byte of its
 * body is read; in {@code none} (dev and tests only) nobody, and the form's uid is taken as it is.
 */
public final class Authentication {

    public static final String MODE = "igait.auth.mode";

    private final IdTokens tokens;

    private Authentication(IdTokens tokens) {
        this.tokens = tokens;
    }

    public static Authentication firebase(IdTokens tokens) {
        return new Authentication(tokens);
    }

    public static Authentication none() {
        return new Authentication(null);
    }

    public boolean required() {
        return tokens != null;
    }

    /** A signed-in caller: the token's uid, and its email when the token says it is verified (else null). */
    public record SignedIn(String uid, String verifiedEmail) {
    }

    /**
     * The token's uid, or null when authentication is off.
     *
     * @throws RequestRejected 401 for a missing or bad token, 503 when the signing keys cannot be had
     */
    public String uid(HttpServerRequest request) {
        SignedIn user = user(request);
        return user == null ? null : user.uid();
    }

    /**
     * Who the token says the caller is, or null when authentication is off.
     *
     * @throws RequestRejected 401 for a missing or bad token, 503 when the signing keys cannot be had
     */
    public SignedIn user(HttpServerRequest request) {
        if (tokens == null) {
            return null;
        }
        List<String> headers = request.headers().getAll("Authorization");
        if (headers.isEmpty()) {
            throw unauthorized("missing_token", "sign in: send the Firebase ID token as Authorization: Bearer <token>", false);
        }
        String header = headers.get(0).strip();
        if (headers.size() > 1 || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw unauthorized("invalid_token", "send exactly one header Authorization: Bearer <Firebase ID token>", true);
        }
        try {
            IdTokens.Verified verified = tokens.verify(header.substring(7).strip());
            return new SignedIn(verified.uid(), verified.verifiedEmail());
        } catch (IdTokens.InvalidToken e) {
            throw unauthorized("invalid_token", e.getMessage(), true);
        } catch (SigningKeys.KeysUnavailable e) {
            throw RequestRejected.retryAfter(503, "auth_unavailable",
                    "the service cannot check sign-in tokens right now; try again shortly", 30);
        }
    }

    private static RequestRejected unauthorized(String code, String message, boolean invalid) {
        return new RequestRejected(401, code, null, message).header("WWW-Authenticate",
                invalid ? "Bearer realm=\"igait\", error=\"invalid_token\"" : "Bearer realm=\"igait\"");
    }
}
