package edu.niu.igait.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits an upload passes before its body is read, each answered in JSON with {@code Retry-After}:
 * uploads per client address and per uid in a sliding window (429), uploads in progress at once per uid,
 * per address and in all (429, 429, 503), and the free disk under the data folder (507). A client address
 * is its group ({@link ClientAddress#group}: an IPv6 /64 is one address).
 *
 * <p>What counts against a window is an upload whose body the service read: accepted, refused after its
 * body arrived (a bad field, a video that is not one), or cut off for sending more than an upload may
 * carry (413). Reading a body is what costs (bandwidth, disk, a worker thread). A refusal from the headers
 * (no token, a limit reached) costs nothing and counts nothing, and neither does an upload whose client
 * went away or was too slow: those are bounded by the caps on uploads at once and by the rate floor, and
 * counting them would let junk from one account lock out everyone behind a carrier's shared address.
 * While an upload is in progress it holds its place in the windows, so uploads at once cannot overrun them.
 *
 * <p>With several replicas, the per-uid window also counts the uid's uploads the other replicas took
 * ({@link Elsewhere}: read from the job store, where each replica's stage 1 records its jobs), so that a
 * user gets the same answer from each; the other limits are this replica's own.
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
    private final int concurrentPerUser;
    private final int concurrentPerAddress;
    private final long minFreeDisk;
    private final Path dir;
    private volatile Elsewhere elsewhere = (uid, window) -> java.util.List.of();
    /**
     * The file system under {@link #dir}, found once: finding it reads the mount table, and the free space is
     * asked every {@link #DISK_CHECK_BYTES} of every upload, on the event loop. Its free space is read anew each time.
     */
    private volatile FileStore store;
    private final AtomicLong inProgress = new AtomicLong();
    /** Uploads in progress per uid and per address group (guarded by this). */
    private final Map<String, Integer> byUser = new HashMap<>();
    private final Map<String, Integer> byAddress = new HashMap<>();
    /** Bytes that uploads in progress declared and have not yet sent: the disk they are still owed. */
    private final AtomicLong owedDisk = new AtomicLong();

    public UploadLimits(RateWindow perUser, RateWindow perAddress, int concurrent, int concurrentPerUser, int concurrentPerAddress,
                        long minFreeDisk, Path dir) {
        this.perUser = perUser;
        this.perAddress = perAddress;
        this.concurrent = concurrent;
        this.concurrentPerUser = concurrentPerUser;
        this.concurrentPerAddress = concurrentPerAddress;
        this.minFreeDisk = minFreeDisk;
        this.dir = dir;
    }

    /**
     * What of a uid the other replicas took (its uploads; for another limit, its requests of that kind),
     * as how long ago each was (within {@code window}).
     */
    @FunctionalInterface
    public interface Elsewhere {
        java.util.List<java.time.Duration> taken(String uid, java.time.Duration window);
    }

    /** Where the other replicas' uploads of a uid are counted from (none by default: one replica). */
    public void countElsewhere(Elsewhere elsewhere) {
        this.elsewhere = elsewhere;
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
     * @param address        the client's address group ({@link ClientAddress#group})
     * @param declaredBytes  the Content-Length, or -1 for a chunked body
     */
    public Admission admit(String uid, String address, long declaredBytes) {
        // Read before the lock: the job store may take a moment, and other admissions must not wait for it.
        java.util.List<java.time.Duration> others = uid == null ? java.util.List.of() : elsewhere.taken(uid, perUser.window());
        return admit(uid, address, declaredBytes, others);
    }

    private synchronized Admission admit(String uid, String address, long declaredBytes, java.util.List<java.time.Duration> others) {
        long wait = perAddress.waitSeconds(address, byAddress.getOrDefault(address, 0), BUSY_RETRY_SECONDS);
        if (wait > 0) {
            throw RequestRejected.retryAfter(429, "too_many_requests", "this address has sent " + perAddress.count()
                    + " uploads in the last " + human(perAddress) + " (igait.limits.per-address); try again later", wait);
        }
        if (uid != null) {
            wait = perUser.waitSeconds(uid, byUser.getOrDefault(uid, 0), BUSY_RETRY_SECONDS, others);
            if (wait > 0) {
                throw RequestRejected.retryAfter(429, "too_many_requests", "this account has sent " + perUser.count()
                        + " uploads in the last " + human(perUser) + " (igait.limits.per-user); try again later", wait);
            }
            if (byUser.getOrDefault(uid, 0) >= concurrentPerUser) {
                throw RequestRejected.retryAfter(429, "concurrent_uploads_per_user", "this account is sending " + concurrentPerUser
                        + " uploads at once, its most (igait.limits.concurrent-uploads-per-user); send the next when one is done",
                        BUSY_RETRY_SECONDS);
            }
        }
        if (byAddress.getOrDefault(address, 0) >= concurrentPerAddress) {
            throw RequestRejected.retryAfter(429, "concurrent_uploads_per_address", "this address is sending " + concurrentPerAddress
                    + " uploads at once, its most (igait.limits.concurrent-uploads-per-address); send the next when one is done",
                    BUSY_RETRY_SECONDS);
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
        byAddress.merge(address, 1, Integer::sum);
        if (uid != null) {
            byUser.merge(uid, 1, Integer::sum);
        }
        inProgress.incrementAndGet();
        owedDisk.addAndGet(owed);
        return new Admission(uid, address, owed);
    }

    /** Ends an upload's place: its counts at once, and the windows' events when its body was read. */
    private synchronized void release(String uid, String address, boolean counts) {
        byAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
        if (uid != null) {
            byUser.computeIfPresent(uid, (k, n) -> n <= 1 ? null : n - 1);
        }
        if (counts) {
            perAddress.record(address);
            if (uid != null) {
                perUser.record(uid);
            }
        }
        inProgress.decrementAndGet();
    }

    private long usable() {
        try {
            FileStore found = store;
            if (found == null) {
                found = Files.getFileStore(dir);
                store = found;
            }
            return found.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space under " + dir, e);
        }
    }

    private static String human(RateWindow w) {
        return RateWindowText.of(w.window());
    }

    /** One upload in progress: its slot and the disk it declared. */
    public final class Admission implements AutoCloseable {
        private final String uid;
        private final String address;
        private long owed;
        private long sinceCheck;
        private boolean closed;
        private volatile boolean bodyRead;

        private Admission(String uid, String address, long owed) {
            this.uid = uid;
            this.address = address;
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

        /** The body was read (whole, or more than an upload may carry): the upload counts against the windows. */
        public void bodyRead() {
            bodyRead = true;
        }

        @Override
        public void close() {
            long left;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                left = owed;
                owed = 0;
            }
            owedDisk.addAndGet(-left);
            release(uid, address, bodyRead);
        }
    }
}
