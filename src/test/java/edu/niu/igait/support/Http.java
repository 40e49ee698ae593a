package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP client the tests use: java.net.http, HTTP/1.1 (what the app and curl speak to the service). */
public final class Http {

    /**
     * Answered by the submission-status route itself (404 JSON for an id that cannot be one, or 401 JSON
     * when uploads are authenticated), so an answer means the HTTP server is up and the routes have
     * started. Not a well-formed id: one would be looked for in the job store, which may be down.
     */
    public static final String PROBE_PATH = "/api/v1/submissions/probe";

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** For the start-up probe of a TLS service only: a TLS test checks the certificate itself. */
    private static final HttpClient TRUSTING = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(trustingContext())
            .build();

    private Http() {
    }

    public static HttpClient client() {
        return CLIENT;
    }

    /** Sends and reads the answer as text; a request that gets no answer within 60 s fails. */
    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build());
    }

    /** POSTs a multipart body (streamed from its files). */
    public static HttpResponse<String> post(URI uri, Multipart body) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                .header("Content-Type", body.contentType())
                .POST(body.build())
                .build());
    }

    /** Whether the service's own route answers on this probe URI (see {@link #PROBE_PATH}); over https any certificate will do. */
    public static boolean answers(URI probe) {
        try {
            HttpClient client = "https".equals(probe.getScheme()) ? TRUSTING : CLIENT;
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return (r.statusCode() == 404 || r.statusCode() == 401)
                    && r.headers().firstValue("Content-Type").orElse("").contains("json");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static javax.net.ssl.SSLContext trustingContext() {
        javax.net.ssl.TrustManager trustAll = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket) {
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + abbreviate(text), e);
        }
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    static String abbreviate(String text) {
        return text == null || text.length() <= 500 ? String.valueOf(text) : text.substring(0, 500) + "...";
    }
}
