package edu.niu.igait.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits an upload passes before its body is read, each answered in JSON with {@code Retry-After}:
 * uploads per client address and per uid in a sliding window (429), uploads in progress at once (503),
 * and the free disk under the data folder (507). What counts against a window is an upload whose body
 * the service began to read: the reading is what costs (bandwidth, disk, a worker thread), so an upload
 * that fails its checks at the end still counts, while a request refused before its body (no token,
 * a limit reached) costs nothing and counts nothing.
 */
public final class UploadLimits {

    /** How long a client refused for lack of room or disk is asked to wait. */
    static final long BUSY_RETRY_SECONDS = 30;
    static final long DISK_RETRY_SECONDS = 300;
    /** While a body arrives, the free disk is checked each time this much more has come. */
    public static final long DISK_CHECK_BYTES = 1024 * 1024;

    private final RateWindow perUser;
    private final RateWindow perAddress;
    private final int concurrent;
    private final long minFreeDisk;
    private final Path dir;
    private final AtomicLong inProgress = new AtomicLong();
    /** Bytes that uploads in progress declared and have not yet sent: the disk they are still owed. */
    private final AtomicLong owedDisk = new AtomicLong();

    public UploadLimits(RateWindow perUser, RateWindow perAddress, int concurrent, long minFreeDisk, Path dir) {
        this.perUser = perUser;
        this.perAddress = perAddress;
        this.concurrent = concurrent;
        this.minFreeDisk = minFreeDisk;
        this.dir = dir;
    }

    public int concurrent() {
        return concurrent;
    }

    public long minFreeDisk() {
        return minFreeDisk;
    }

    /** Uploads being read now. */
    public long inProgress() {
        return inProgress.get();
    }

    /**
     * Admits an upload or refuses it. The admission must be {@link Admission#close() closed} when the
     * upload is over, whatever its end.
     *
     * @param uid            the token's uid, or null when uploads are not authenticated
     * @param declaredBytes  the Content-Length, or -1 for a chunked body
     */
    public synchronized Admission admit(String uid, String address, long declaredBytes) {
        long wait = perAddress.waitSeconds(address);
        if (wait > 0) {
            throw RequestRejected.retryAfter(429, "too_many_requests", "this address has sent " + perAddress.count()
                    + " uploads in the last " + human(perAddress) + " (igait.limits.per-address); try again later", wait);
        }
        if (uid != null) {
            wait = perUser.waitSeconds(uid);
            if (wait > 0) {
                throw RequestRejected.retryAfter(429, "too_many_requests", "this account has sent " + perUser.count()
                        + " uploads in the last " + human(perUser) + " (igait.limits.per-user); try again later", wait);
            }
        }
        if (inProgress.get() >= concurrent) {
            throw RequestRejected.retryAfter(503, "busy", "the service is taking " + concurrent
                    + " uploads at once, its most (igait.limits.concurrent-uploads); try again shortly", BUSY_RETRY_SECONDS);
        }
        long owed = Math.max(0, declaredBytes);
        if (usable() - owedDisk.get() - owed < minFreeDisk) {
            throw RequestRejected.retryAfter(507, "insufficient_storage", "the service is short of disk space for this upload;"
                    + " try again later", DISK_RETRY_SECONDS);
        }
        perAddress.tryAcquire(address);
        if (uid != null) {
            perUser.tryAcquire(uid);
        }
        inProgress.incrementAndGet();
        owedDisk.addAndGet(owed);
        return new Admission(owed);
    }

    private long usable() {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space under " + dir, e);
        }
    }

    private static String human(RateWindow w) {
        return RateWindowText.of(w.window());
    }

    /** One upload in progress: its slot and the disk it declared. */
    public final class Admission implements AutoCloseable {
        private long owed;
        private long sinceCheck;
        private boolean closed;

        private Admission(long owed) {
            this.owed = owed;
        }

        /**
         * Notes {@code bytes} more received; each {@link #DISK_CHECK_BYTES}, checks that writing the next
         * ones still leaves {@code igait.limits.min-free-disk} free (the other uploads' declared bytes counted).
         *
         * @throws RequestRejected 507 when it would not
         */
        public void received(long bytes) {
            long paid;
            synchronized (this) {
                paid = Math.min(owed, bytes);
                owed -= paid;
            }
            owedDisk.addAndGet(-paid);
            sinceCheck += bytes;
            if (sinceCheck >= DISK_CHECK_BYTES) {
                sinceCheck = 0;
                long others = owedDisk.get() - owed;
                if (usable() - others - Math.max(owed, DISK_CHECK_BYTES) < minFreeDisk) {
                    throw RequestRejected.retryAfter(507, "insufficient_storage", "the service ran short of disk space while"
                            + " this upload arrived; nothing was kept, try again later", DISK_RETRY_SECONDS);
                }
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                inProgress.decrementAndGet();
                owedDisk.addAndGet(-owed);
                owed = 0;
            }
        }
    }
}
