package edu.niu.igait.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: the data folder takes writes (a file is created and deleted in it and in its uploads
 * folder). A read-only or vanished folder cannot keep an upload, so the service is not ready.
 */
public class DataFolderCheck extends AbstractHealthCheck {

    private final Path dataDir;
    private final Path uploadsDir;

    public DataFolderCheck(Path dataDir, Path uploadsDir) {
        super("igait", "data-folder");
        this.dataDir = dataDir;
        this.uploadsDir = uploadsDir;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("path", dataDir.toAbsolutePath().toString());
        for (Path dir : new Path[] {dataDir, uploadsDir}) {
            try {
                Path probe = Files.createTempFile(dir, ".ready-", ".probe");
                Files.delete(probe);
            } catch (IOException | RuntimeException e) {
                builder.message("the data folder cannot be written: " + dir.toAbsolutePath() + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
                builder.down();
                return;
            }
        }
        builder.message("the data folder takes writes: " + dataDir.toAbsolutePath());
        builder.up();
    }
}
