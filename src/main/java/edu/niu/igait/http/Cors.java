package edu.niu.igait.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import edu.niu.igait.config.StartupException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Browsers: the iGait web app posts its uploads with {@code XMLHttpRequest} and an
 * {@code Authorization} header from another origin, so the browser asks first ({@code OPTIONS}, a
 * preflight) and then reads the answer only if it names the app's origin.
 *
 * <p>The first handler of the server's root router, ahead of every route: a preflight is answered here,
 * so it never reaches a route, needs no token and counts against no limit. Only the browser's paths
 * (the upload, the status of a submission, a parent's records: the list, a submission's files, the
 * history request, a research contribution, its status and withdrawal, and the resumable uploads of
 * {@code /api/v1/files}) are served to browsers, and only for the exact origins of {@value #ORIGINS}: the answer names the caller's origin, never {@code *}, and allows no
 * credentials (the API takes its token from the {@code Authorization} header, never from cookies).
 * Any other origin gets no CORS header at all, and its preflight a 403.
 *
 * <p>The headers are put on the Vert.x answer itself, as Vert.x's own CORS handler does, not on the
 * Camel message: {@link EdgeHeaders}, which keeps every message header but the API's own out of the
 * answers, never sees them, and a route's refusal (401, 429, ...) carries them all the same, so the
 * app can read it.
 */
public final class Cors implements Handler<RoutingContext> {

    public static final String ORIGINS = "igait.http.cors-origins";
    public static final String MAX_AGE = "igait.http.cors-max-age";
    /** What the app sends besides the CORS-safelisted headers: the token, the form's type, and tus's own (resumable uploads). */
    static final String ALLOW_HEADERS = "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset";
    /**
     * What the app reads of an answer besides the CORS-safelisted headers: when to try again, why a token
     * was refused, and what a tus client reads (where its upload is, how far it got, until when it is kept).
     */
    static final String EXPOSE_HEADERS = "Retry-After, WWW-Authenticate, Location, Upload-Offset, Upload-Length, Upload-Expires,"
            + " Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size";
    private static final String SUBMISSIONS = "/api/v1/submissions/";
    private static final String LIST = "/api/v1/submissions";
    private static final String FILES = "/files";
    private static final String HISTORY = "/api/v1/historical_submissions";
    private static final String RESUMABLE = "/api/v1/files";
    private static final String CONTRIBUTE = "/api/v1/contribute";
    private static final String CONTRIBUTIONS = "/api/v1/contributions/";
    /** Browsers cap the preflight cache themselves (Chromium at 2 h, Firefox at 24 h). */
    private static final Duration LONGEST_MAX_AGE = Duration.ofHours(24);

    private final Set<String> origins;
    private final String maxAgeSeconds;

    public Cors(Set<String> origins, Duration maxAge) {
        this.origins = Set.copyOf(origins);
        this.maxAgeSeconds = Long.toString(maxAge.toSeconds());
    }

    /**
     * {@value #ORIGINS}: comma-separated exact origins ({@code https://app.example.org},
     * {@code http://localhost:3000}); {@code *}, paths and anything but http(s) fail start-up naming the property.
     */
    public static Cors parse(String originsText, Duration maxAge) {
        Set<String> origins = new LinkedHashSet<>();
        for (String entry : originsText.split(",")) {
            String text = entry.strip();
            if (!text.isEmpty()) {
                origins.add(origin(text));
            }
        }
        if (maxAge.isNegative() || maxAge.compareTo(LONGEST_MAX_AGE) > 0) {
            throw new StartupException(MAX_AGE + " must be from 0s to 24h, got " + maxAge);
        }
        return new Cors(origins, maxAge);
    }

    /** An origin as browsers write it in {@code Origin}: scheme and host in lower case, the port only when not the default. */
    static String origin(String text) {
        String hint = ORIGINS + " takes exact origins such as https://app.example.org or http://localhost:3000, comma-separated; got '"
                + text + "'";
        if (text.equals("*") || text.equalsIgnoreCase("null")) {
            throw new StartupException(hint + ": every origin (or a sandboxed page's) would be allowed");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new StartupException(hint);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null || uri.getRawFragment() != null
                || text.contains("*")) {
            throw new StartupException(hint + " (no path, not even '/', no wildcard)");
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    public Set<String> origins() {
        return origins;
    }

    /** The methods a browser may use on this path, or null where browsers are not served (completion, health, ...). */
    static String methods(String path) {
        if (path == null) {
            return null;
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.equals(HttpEdge.UPLOAD_PATH) || p.equals(HISTORY) || p.equals(CONTRIBUTE) || p.equals(RESUMABLE)) {
            return "POST";
        }
        if (p.startsWith(RESUMABLE + "/") && p.chars().skip(RESUMABLE.length() + 1).filter(c -> c == '/').count() <= 1) {
            // A resumable upload (its URL /api/v1/files/<replica>/<id>, or /api/v1/files/<id>): its offset, its bytes, its end.
            return "HEAD, PATCH, DELETE";
        }
        if (p.startsWith(CONTRIBUTIONS) && p.length() > CONTRIBUTIONS.length() && p.indexOf('/', CONTRIBUTIONS.length()) < 0) {
            // A contribution's status, and its withdrawal.
            return "GET, DELETE";
        }
        if (p.equals(LIST)) {
            return "GET";
        }
        if (p.startsWith(SUBMISSIONS) && p.length() > SUBMISSIONS.length()) {
            // A submission's status, and its files.
            int slash = p.indexOf('/', SUBMISSIONS.length());
            if (slash < 0 || (slash > SUBMISSIONS.length() && p.substring(slash).equals(FILES))) {
                return "GET";
            }
        }
        return null;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String methods = origin == null ? null : methods(ctx.normalizedPath());
        if (methods == null) {
            ctx.next();
            return;
        }
        HttpServerResponse response = ctx.response();
        // The answer depends on the caller's origin: a cache must not hand one origin's answer to another.
        response.putHeader(HttpHeaders.VARY, "Origin");
        boolean allowed = origins.contains(origin);
        boolean preflight = request.method() == HttpMethod.OPTIONS && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
        if (preflight) {
            if (!allowed) {
                Connections.refuse(request, 403, "origin_not_allowed",
                        "this origin may not call the API from a browser (the service's " + ORIGINS + " lists those that may)");
                return;
            }
            Connections.closeAfterAnswer(request);
            response.setStatusCode(204)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAgeSeconds)
                    .putHeader(HttpHeaders.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
                    .end();
            return;
        }
        if (allowed) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
        }
        ctx.next();
    }
}
