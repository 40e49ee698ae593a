package edu.niu.igait.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the service writes under its data folder is its user's alone, whatever the umask it was started
 * with: files 0600, folders 0700. Here the umask is 000 (anyone may read and write what is made), and an
 * upload, a completion and a refused upload go through.
 */
class FileModesTest {

    static final String KEY = "file-modes-test-key-0123456789";

    @TempDir
    Path tmp;

    @Test
    void filesAre0600AndFolders0700UnderAnUmaskOf000() throws Exception {
        Path data = tmp.resolve("data");
        try (ServiceProcess service = ServiceProcess.startWithUmask("000", Map.of("igait.data-dir", data.toString(),
                "igait.access-key", KEY)).awaitHealthy()) {
            byte[] body = Hostile.uploadBody();
            RawHttp.Response upload = Hostile.exchange("127.0.0.1", service.port(), Hostile.concat(Hostile.uploadHead(body.length), body),
                    10_000);
            assertThat(upload.status()).as(upload.body()).isEqualTo(202);
            assertThat(Hostile.exchange("127.0.0.1", service.port(), Hostile.completion(KEY, 3), 10_000).status()).isEqualTo(202);
            byte[] badVideo = Hostile.uploadBody().clone();
            RawHttp.Response refused = Hostile.exchange("127.0.0.1", service.port(),
                    Hostile.concat(Hostile.uploadHead(body.length - 10), java.util.Arrays.copyOf(badVideo, body.length - 10)), 10_000);
            assertThat(refused.status()).isEqualTo(400);

            List<String> wrong = new ArrayList<>();
            int files = 0;
            try (Stream<Path> all = Files.walk(data)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                    String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
                    files += Files.isRegularFile(p) ? 1 : 0;
                    if (!mode.equals(expected)) {
                        wrong.add(data.relativize(p) + " " + mode);
                    }
                }
            }
            // job.json, two videos, the upload's ticket, the completion's ticket, .lock
            assertThat(files).isGreaterThanOrEqualTo(6);
            assertThat(wrong).as("paths under data/ with another mode").isEmpty();
        }
    }
}
