package edu.niu.igait.http;

import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The platform-http component's header filter, for every route at once: no request header or query
 * parameter becomes a message header (the routes read the request itself, and path parameters such as
 * {@code {sid}} are set apart from this filter), and no message header reaches an answer unless it is
 * one the service sets on purpose. A query such as {@code ?Set-Cookie=...} or a request header is
 * thus never echoed back, whatever a route forgets to remove. The CORS headers are not message
 * headers: {@link Cors} puts them on the Vert.x answer before any route runs, so this filter never
 * sees them and every answer of a browser path, refusals included, keeps them.
 */
public final class EdgeHeaders implements HeaderFilterStrategy {

    /** The headers an answer may carry besides Content-Type and Content-Length, which Camel sets itself. */
    static final Set<String> ANSWER_HEADERS = Set.of("retry-after", "www-authenticate", "allow", "connection", "cache-control");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !ANSWER_HEADERS.contains(headerName.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
