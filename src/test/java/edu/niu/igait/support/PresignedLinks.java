package edu.niu.igait.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Presigned S3 links as a mail client or the app uses them: fetched with a plain client, or tampered with. */
public final class PresignedLinks {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PresignedLinks() {
    }

    /** GET with no credentials of its own: the link's signature is all there is. */
    public static HttpResponse<byte[]> fetch(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError("GET " + url + " failed", e);
        }
    }

    /** The same link with one hex digit of its signature changed. */
    public static String tamper(String url) {
        Matcher m = Pattern.compile("X-Amz-Signature=([0-9a-f])").matcher(url);
        assertThat(m.find()).as(url).isTrue();
        char c = m.group(1).charAt(0);
        return url.substring(0, m.start(1)) + (c == '0' ? '1' : '0') + url.substring(m.end(1));
    }
}
