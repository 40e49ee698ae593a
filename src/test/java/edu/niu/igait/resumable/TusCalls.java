package edu.niu.igait.resumable;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.TestService;

/**
 * The tus requests a test makes by hand, over java.net.http (each a well-formed request; the ones no
 * client would send go through {@code support.RawHttp}): creation, HEAD, PATCH, DELETE, and the upload
 * form naming finished uploads. Public for the other forms that take uploads by reference
 * ({@code contribute.ContributionTest}).
 */
public final class TusCalls {

    static final String FORM_FIELDS_SEX = "F";

    private final Function<String, URI> uri;

    /** @param uri the service's URI of a path */
    public TusCalls(Function<String, URI> uri) {
        this.uri = uri;
    }

    static String metadata(String filename, String filetype) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "filename " + b64.encodeToString(filename.getBytes(StandardCharsets.UTF_8))
                + ",filetype " + b64.encodeToString(filetype.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> create(String token, long length, String filename) {
        return create(token, "/api/v1/files", length, filename);
    }

    /** A creation at {@code path} ({@code /api/v1/files}, with a query if the test wants one). */
    HttpResponse<String> create(String token, String path, long length, String filename) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.apply(path)).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", Long.toString(length)).header("Upload-Metadata", metadata(filename, "video/mp4"))
                .POST(BodyPublishers.noBody());
        return Http.send(auth(b, token).build());
    }

    /** A new upload's path (its Location), asserting the 201. */
    String created(String token, long length, String filename) {
        return created(token, "/api/v1/files", length, filename);
    }

    private String created(String token, String path, long length, String filename) {
        HttpResponse<String> r = create(token, path, length, filename);
        if (r.statusCode() != 201) {
            throw new AssertionError("creation answered " + r.statusCode() + ": " + r.body());
        }
        return r.headers().firstValue("Location").orElseThrow();
    }

    public HttpResponse<String> head(String token, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.apply(path)).header("Tus-Resumable", "1.0.0")
                .method("HEAD", BodyPublishers.noBody());
        return Http.send(auth(b, token).build());
    }

    /** The offset HEAD answers, asserting the 200. */
    long offset(String token, String path) {
        HttpResponse<String> r = head(token, path);
        if (r.statusCode() != 200) {
            throw new AssertionError("HEAD answered " + r.statusCode() + ": " + r.body());
        }
        return Long.parseLong(r.headers().firstValue("Upload-Offset").orElseThrow());
    }

    HttpResponse<String> patch(String token, String path, long offset, byte[] bytes) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.apply(path)).header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Long.toString(offset)).header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", BodyPublishers.ofByteArray(bytes));
        return Http.send(auth(b, token).build());
    }

    HttpResponse<String> delete(String token, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.apply(path)).header("Tus-Resumable", "1.0.0").DELETE();
        return Http.send(auth(b, token).build());
    }

    /** Uploads {@code bytes} in PATCHes of {@code chunk} bytes; returns the upload's path. */
    public String upload(String token, byte[] bytes, String filename, int chunk) {
        return upload(token, bytes, filename, chunk, "/api/v1/files");
    }

    /** Uploads {@code bytes} as above, created at {@code creation} ({@code /api/v1/files?replica=...}); returns its path. */
    public String upload(String token, byte[] bytes, String filename, int chunk, String creation) {
        String path = created(token, creation, bytes.length, filename);
        for (int at = 0; at < bytes.length; at += chunk) {
            byte[] piece = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk));
            HttpResponse<String> r = patch(token, path, at, piece);
            if (r.statusCode() != 204) {
                throw new AssertionError("PATCH at " + at + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        return path;
    }

    /** The upload form as the app fills it, its videos named by reference (or anything a test puts there). */
    public static Multipart form(String front, String side) {
        Multipart form = new Multipart().field("age", "7").field("ethnicity", "Asian").field("sex", FORM_FIELDS_SEX)
                .field("height", "4 ft").field("weight", "50").field("email", "parent@example.org");
        if (front != null) {
            form.field("fileuploadfront", front);
        }
        if (side != null) {
            form.field("fileuploadside", side);
        }
        return form;
    }

    HttpResponse<String> submit(String token, Multipart form) {
        return submit(token, "/api/v1/upload", form);
    }

    /** The form posted to {@code path} ({@code /api/v1/upload}, with {@code ?replica=} or not). */
    public HttpResponse<String> submit(String token, String path, Multipart form) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.apply(path)).header("Content-Type", form.contentType())
                .POST(form.build());
        return Http.send(auth(b, token).build());
    }

    /** The service in this JVM, signed in with the key server's tokens, with {@code more} settings. */
    static TestService signedIn(KeyServer keys, Map<String, String> more) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        p.putAll(more);
        return TestService.start(p);
    }

    static Path fileOf(Path dataDir, String path) {
        return dataDir.resolve("files").resolve(path.substring(path.lastIndexOf('/') + 1));
    }

    private static HttpRequest.Builder auth(HttpRequest.Builder b, String token) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }
}
