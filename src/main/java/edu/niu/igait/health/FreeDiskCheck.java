package edu.niu.igait.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: the disk under the data folder has more free space than {@code igait.limits.min-free-disk},
 * the margin every upload must leave (below it every upload is refused 507).
 */
public class FreeDiskCheck extends AbstractHealthCheck {

    private final Path dir;
    private final long minFree;

    public FreeDiskCheck(Path dir, long minFree) {
        super("igait", "free-disk");
        this.dir = dir;
        this.minFree = minFree;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            builder.message("cannot read the free space under " + dir.toAbsolutePath() + ": " + e.getMessage());
            builder.down();
            return;
        }
        builder.detail("free.bytes", usable);
        builder.detail("min-free-disk.bytes", minFree);
        if (usable <= minFree) {
            builder.message(usable + " bytes free under " + dir.toAbsolutePath() + ", not more than igait.limits.min-free-disk ("
                    + minFree + " bytes): uploads are refused 507");
            builder.down();
        } else {
            builder.message(usable + " bytes free under " + dir.toAbsolutePath() + " (igait.limits.min-free-disk: " + minFree + ")");
            builder.up();
        }
    }
}
