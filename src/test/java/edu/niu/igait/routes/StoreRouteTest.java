package edu.niu.igait.routes;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import edu.niu.igait.job.Job;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/stages/2-store.yaml: each video, then extensions.json, to S3 under {@code <uid>/<jobId>/}
 * (the aws2-s3 endpoint is a mock that puts what it gets into the stand-in S3), the sizes checked,
 * status Queue, the local copies deleted, the ticket to 3-submit.
 */
class StoreRouteTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/2-store.yaml");
    }

    /** The mock S3 endpoint keeps what it is sent, as S3 would; {@code truncateFirst} loses a byte of the first upload. */
    private MockEndpoint s3Endpoint(boolean truncateFirst) {
        MockEndpoint endpoint = getMockEndpoint(S3);
        AtomicInteger puts = new AtomicInteger();
        endpoint.whenAnyExchangeReceived(e -> {
            byte[] bytes = bytes(e);
            if (truncateFirst && puts.getAndIncrement() == 0) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length - 1);
            }
            s3.objects.put(e.getMessage().getHeader("CamelAwsS3Key", String.class), bytes);
        });
        return endpoint;
    }

    private static byte[] bytes(Exchange e) throws Exception {
        Object body = e.getMessage().getBody();
        if (body instanceof Path p) {
            return Files.readAllBytes(p);
        }
        if (body instanceof File f) {
            return Files.readAllBytes(f.toPath());
        }
        return e.getMessage().getBody(byte[].class);
    }

    @Test
    void theVideosThenExtensionsJsonGoToS3UnderTheJobThenStatusQueueAndTheLocalVideosAreDeleted() throws Exception {
        MockEndpoint endpoint = s3Endpoint(false);
        Job job = recorded("store", "p@example.org");
        Path dir = data.resolve("jobs").resolve(job.submissionId);
        byte[] front = Files.readAllBytes(dir.resolve("front.mp4"));
        byte[] side = Files.readAllBytes(dir.resolve("side.mov"));
        release(job.submissionId, "2-store");

        awaitTicket("stages/3-submit", job.submissionId);
        List<Exchange> puts = endpoint.getExchanges();
        assertThat(puts).extracting(e -> e.getMessage().getHeader("CamelAwsS3Key"))
                .containsExactly("store/0/front.mp4", "store/0/side.mov", "store/0/extensions.json");
        assertThat(puts.get(0).getMessage().getHeader("CamelAwsS3ContentLength", Long.class)).isEqualTo(front.length);
        assertThat(puts.get(1).getMessage().getHeader("CamelAwsS3ContentLength", Long.class)).isEqualTo(side.length);
        assertThat(s3.objects.get("store/0/front.mp4")).isEqualTo(front);
        assertThat(s3.objects.get("store/0/side.mov")).isEqualTo(side);
        assertThat(puts.get(2).getMessage().getHeader("CamelAwsS3ContentType")).isEqualTo("application/json");
        assertThat(new String(s3.objects.get("store/0/extensions.json"))).isEqualTo("{\"front\":\"mp4\",\"side\":\"mov\"}");
        // Checked after the uploads, before the status says so.
        assertThat(s3.calls).contains("HEAD store/0/front.mp4", "HEAD store/0/side.mov");

        assertThat(map(stored("store", 0).get("status"))).containsEntry("code", "Queue").containsEntry("value", "Currently in queue.");
        assertThat(dir.resolve("front.mp4")).doesNotExist();
        assertThat(dir.resolve("side.mov")).doesNotExist();
        assertThat(dir.resolve("job.json")).exists();
    }

    @Test
    void aVideoFoundWithTheWrongSizeIsUploadedAgainNotJustCheckedAgain() throws Exception {
        MockEndpoint endpoint = s3Endpoint(true);
        Job job = recorded("short", "p@example.org");
        release(job.submissionId, "2-store");

        awaitTicket("stages/3-submit", job.submissionId);
        // The steps ran again from the top: both videos and extensions.json twice.
        assertThat(endpoint.getExchanges()).extracting(e -> e.getMessage().getHeader("CamelAwsS3Key"))
                .containsExactly("short/0/front.mp4", "short/0/side.mov", "short/0/extensions.json",
                        "short/0/front.mp4", "short/0/side.mov", "short/0/extensions.json");
        assertThat(map(stored("short", 0).get("status"))).containsEntry("code", "Queue");
    }
}
