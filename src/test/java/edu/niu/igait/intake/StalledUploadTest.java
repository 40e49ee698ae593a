package edu.niu.igait.intake;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.TestService;
import edu.niu.igait.support.Videos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A client that stops sending in the middle of its upload is cut off after igait.http.idle-timeout. */
class StalledUploadTest {

    @Test
    void aStalledUploadIsClosedAndLeavesNothingBehind() throws Exception {
        try (TestService service = TestService.start(Map.of("igait.http.idle-timeout", "2s"))) {
            DataDirSnapshot before = DataDirSnapshot.of(service.dataDir());
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
                socket.setSoTimeout(30_000);
                var out = socket.getOutputStream();
                out.write(("POST /api/v1/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n"
                        + "--b\r\nContent-Disposition: form-data; name=\"fileuploadfront\"; filename=\"v.mp4\"\r\n"
                        + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(Videos.bytes("mp4", 300_000));
                out.flush();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> !DataDirSnapshot.of(service.dataDir()).under("uploads").isEmpty());
                // Then silence: the server must close the connection on its own (a read time-out
                // of 30 s here fails the test instead).
                InputStream in = socket.getInputStream();
                int read;
                try {
                    do {
                        read = in.read();
                    } while (read >= 0);
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read).isEqualTo(-1);
            }
            before.awaitUnchanged(Duration.ofSeconds(10));
        }
    }
}
