package edu.niu.igait.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import edu.niu.igait.dev.Ports;
import edu.niu.igait.dev.S3ProxyServer;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

class S3ProxyServerTest {

    static final String BUCKET = "igait-storage";

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServer() {
        s3 = new S3ProxyServer(work, 0).start();
        s3.createBucket(BUCKET);
        s3.createBucket(BUCKET); // idempotent
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void putGetHeadAndDelete() {
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(BUCKET).key("u1/0/front.mp4").contentType("video/mp4"),
                    RequestBody.fromString("front video"));
            ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(b -> b.bucket(BUCKET).key("u1/0/front.mp4"));
            assertThat(got.asUtf8String()).isEqualTo("front video");
            HeadObjectResponse head = client.headObject(b -> b.bucket(BUCKET).key("u1/0/front.mp4"));
            assertThat(head.contentLength()).isEqualTo(11L);
            assertThat(head.contentType()).isEqualTo("video/mp4");
            assertThat(s3.dataDir().resolve(BUCKET).resolve("u1/0/front.mp4")).exists();

            client.deleteObject(b -> b.bucket(BUCKET).key("u1/0/front.mp4"));
            assertThatThrownBy(() -> client.headObject(b -> b.bucket(BUCKET).key("u1/0/front.mp4")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void presignedGetWorksAndATamperedSignatureIsRefused() throws Exception {
        try (S3Client client = s3.client(); S3Presigner presigner = s3.presigner()) {
            client.putObject(b -> b.bucket(BUCKET).key("u1/1/front_keyframed.mp4"), RequestBody.fromString("keyframes"));
            PresignedGetObjectRequest presigned = presigner.presignGetObject(p -> p
                    .signatureDuration(Duration.ofDays(7))
                    .getObjectRequest(g -> g.bucket(BUCKET).key("u1/1/front_keyframed.mp4")));
            String url = presigned.url().toString();
            assertThat(url).startsWith(s3.endpoint() + "/" + BUCKET + "/u1/1/front_keyframed.mp4?")
                    .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Expires=604800", "X-Amz-Signature=");

            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("keyframes");

            String tampered = tamperSignature(url);
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(tampered)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("SignatureDoesNotMatch");

            HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(
                            URI.create(s3.endpoint() + "/" + BUCKET + "/u1/1/front_keyframed.mp4")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(unsigned.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void restartsOnTheSamePortAndKeepsTheObjects() {
        int port = s3.port();
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(BUCKET).key("u2/0/extensions.json"),
                    RequestBody.fromString("{\"front\":\"mp4\",\"side\":\"mov\"}"));
        }
        s3.stop();
        assertThat(s3.isRunning()).isFalse();
        assertThat(Ports.accepting(port)).isFalse();
        s3.stop(); // twice is harmless

        s3.start();
        assertThat(s3.port()).isEqualTo(port);
        try (S3Client client = s3.client()) {
            assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key("u2/0/extensions.json")).asUtf8String())
                    .isEqualTo("{\"front\":\"mp4\",\"side\":\"mov\"}");
        }
    }

    @Test
    void aTakenPortFailsFastWithAClearMessage() {
        S3ProxyServer second = new S3ProxyServer(work.resolve("second"), s3.port());
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already taken");
    }

    private static String tamperSignature(String url) {
        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char c = url.charAt(at);
        char replaced = c == '0' ? '1' : '0';
        return url.substring(0, at) + replaced + url.substring(at + 1);
    }
}
