package edu.niu.igait.completion;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Multipart;

/** Completion calls as Metis makes them: a form (multipart or urlencoded), the key in it or as a Bearer header. */
final class CompletionCalls {

    static final String KEY = "metis-test-key-6c1f0e0b9a2d4f7e";
    static final String PATH = "/api/v1/completion";

    /** Fields in order; a name may repeat. */
    static final class Form {
        final List<Map.Entry<String, String>> fields = new ArrayList<>();

        Form add(String name, String value) {
            fields.add(Map.entry(name, value));
            return this;
        }

        Form without(String name) {
            Form copy = new Form();
            fields.stream().filter(e -> !e.getKey().equals(name)).forEach(e -> copy.add(e.getKey(), e.getValue()));
            return copy;
        }

        Form with(String name, String value) {
            Form copy = without(name);
            copy.add(name, value);
            return copy;
        }

        Form plus(String name, String value) {
            Form copy = new Form();
            fields.forEach(e -> copy.add(e.getKey(), e.getValue()));
            return copy.add(name, value);
        }

        Multipart multipart() {
            Multipart body = new Multipart();
            fields.forEach(e -> body.field(e.getKey(), e.getValue()));
            return body;
        }

        /** The same as {@link #multipart()}, as bytes, for a plain socket. */
        byte[] multipartBytes(String boundary) {
            StringBuilder b = new StringBuilder();
            fields.forEach(e -> b.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(e.getKey()).append("\"\r\n\r\n")
                    .append(e.getValue()).append("\r\n"));
            b.append("--").append(boundary).append("--\r\n");
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        String urlencoded() {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, String> e : fields) {
                if (b.length() > 0) {
                    b.append('&');
                }
                b.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
            return b.toString();
        }
    }

    private CompletionCalls() {
    }

    /** The four fields, without a key. */
    static Form result(String uid, int jobId, String code, String content) {
        return new Form().add("user_id", uid).add("job_id", Integer.toString(jobId))
                .add("status_code", code).add("status_content", content);
    }

    /** The four fields and the key as the form field igait_access_key (what Metis sends today). */
    static Form withKey(String uid, int jobId, String code, String content) {
        return result(uid, jobId, code, content).add("igait_access_key", KEY);
    }

    static HttpResponse<String> multipart(URI base, Form form, String bearer) {
        Multipart body = form.multipart();
        return send(base, body.contentType(), body.build(), bearer);
    }

    static HttpResponse<String> urlencoded(URI base, Form form, String bearer) {
        return send(base, "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString(form.urlencoded(), StandardCharsets.UTF_8), bearer);
    }

    static HttpResponse<String> send(URI base, String contentType, HttpRequest.BodyPublisher body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(PATH)).timeout(Duration.ofSeconds(30))
                .POST(body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return Http.send(request.build());
    }
}
