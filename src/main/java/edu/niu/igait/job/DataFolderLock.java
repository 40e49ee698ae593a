package edu.niu.igait.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import edu.niu.igait.config.StartupException;

/**
 * One service per data folder: an exclusive lock on {@code <data>/.lock}, held while the service runs
 * (the operating system releases it when the process ends, SIGKILL included). A second service on the
 * same folder would delete the first one's uploads in progress as orphans and take its tickets.
 */
public final class DataFolderLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataFolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or refuses the start-up with one line that says which folder and who holds it. */
    public static DataFolderLock take(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path file = dir.resolve(".lock");
        FileChannel channel = null;
        try {
            DurableFiles.createDirectories(dir);
            channel = DurableFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new StartupException("the data folder " + dir + " (igait.data-dir) is in use by another iGait backend"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + ": stop it first, or give this one its own folder");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new DataFolderLock(channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the start-up fails anyway
            }
            throw new StartupException("cannot lock the data folder " + dir + " (igait.data-dir): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process ends, and the lock with it
        }
    }
}
