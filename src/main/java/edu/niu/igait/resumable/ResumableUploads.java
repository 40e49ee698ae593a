package edu.niu.igait.resumable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.AppendTarget;
import edu.niu.igait.intake.FinishedUploads;
import edu.niu.igait.intake.ReceivedUpload;
import edu.niu.igait.intake.VideoFormat;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.logging.Replica;
import edu.niu.igait.logging.Subsystem;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resumable uploads (tus) this service holds, each in {@code data/files/<id>/}: {@code video}, the
 * bytes so far, and {@code upload.json}, the {@link ResumableUpload} with its offset. The offset on disk
 * is the truth: it is written (temp file, fsync, rename, fsync of the folder) only after the video's
 * bytes up to it were fsync'd, so an offset the service reported survives a SIGKILL or a power cut; bytes
 * past it (written, not yet known to be on disk) are cut off when the upload is next appended to, and at
 * start-up, and the client sends them again. A {@code PATCH} cut by the network keeps what arrived: the
 * receiver syncs it and reports it ({@link AppendTarget}), and the next {@code HEAD} answers with it.
 *
 * <p>In memory, under this object's lock: which uploads exist (read from the folder at start-up), the
 * {@code PATCH} appending to one (one at a time: another gets 423), the form using a finished one
 * ({@link FinishedUploads}: one at a time, and once its video was moved into a job it is gone).
 */
public final class ResumableUploads implements FinishedUploads {

    public static final String RECORD = "upload.json";
    public static final String VIDEO = "video";
    /** An upload's id as its URL carries it: the service makes 32 hex digits; the pattern leaves ids opaque. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /**
     * The path under which each upload is found: {@value}{@code <replica>/<id>}, the replica that holds its
     * bytes named so that a balancer's path rule sends its requests there ({@code <id>} alone is still
     * followed: the URLs made before replicas had names).
     */
    public static final String PATH = "/api/v1/files/";
    /** While a long PATCH arrives, its offset on disk is brought up to date at most this often (and at its end). */
    static final long CHECKPOINT_EVERY_MS = 1000;
    /**
     * How long a HEAD waits for a PATCH that holds the upload to end: a client whose connection was cut asks
     * at once where to go on, and the service may not have closed the cut PATCH yet (its last bytes synced).
     */
    static final long HEAD_WAITS_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    /** The replica this is ({@code igait.replica.name}), which holds these uploads and names them in their URLs. */
    private final String replica;
    private final Duration expireAfter;
    private final long perUserBytes;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** Guarded by this. */
    private final Map<String, Entry> uploads = new HashMap<>();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong resumptions = new AtomicLong();

    /** One upload: its record (the offset in it is the one on disk), and who uses it now. */
    private static final class Entry {
        final ResumableUpload record;
        /** The PATCH appending to it (guarded by the store). */
        Patch patch;
        /** The exchange whose form uses it (guarded by the store). */
        Exchange claimedBy;
        /** Its last PATCH ended before its body did (or a restart cut it): the next one is a resumption. */
        volatile boolean interrupted;

        Entry(ResumableUpload record) {
            this.record = record;
        }

        Path folder(Path dir) {
            return dir.resolve(record.id);
        }
    }

    private ResumableUploads(Path dir, String replica, Duration expireAfter, long perUserBytes, Clock clock) {
        this.dir = dir;
        this.replica = replica;
        this.expireAfter = expireAfter;
        this.perUserBytes = perUserBytes;
        this.clock = clock;
    }

    /** The uploads under {@code dir} ({@code data/files}) of the one-machine service (replica {@code local}). */
    public static ResumableUploads open(Path dir, Duration expireAfter, long perUserBytes, Clock clock) {
        return open(dir, Replica.DEFAULT, expireAfter, perUserBytes, clock);
    }

    /** The uploads under {@code dir} ({@code data/files}) that {@code replica} holds, as a crash or a stop left them. */
    public static ResumableUploads open(Path dir, String replica, Duration expireAfter, long perUserBytes, Clock clock) {
        ResumableUploads store = new ResumableUploads(dir, replica, expireAfter, perUserBytes, clock);
        try {
            DurableFiles.createDirectories(dir);
            store.recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resumable uploads in " + dir, e);
        }
        return store;
    }

    public Duration expireAfter() {
        return expireAfter;
    }

    /** The replica that holds these uploads. */
    public String replica() {
        return replica;
    }

    /** Where the upload {@code id} is found: {@code /api/v1/files/<replica>/<id>}. */
    public String url(String id) {
        return PATH + replica + "/" + id;
    }

    /**
     * Refuses a request for an upload that {@code named} (the replica its URL names) holds, if that is not
     * this replica: 421 {@code misdirected} naming the one that holds it, which the balancer's path rule reaches.
     *
     * @param field the form's field that named it, or null for a tus request at its URL
     * @param then  what the client does instead
     */
    void here(String named, String field, String then) {
        if (field == null && !Replica.isValid(named)) {
            throw notFound();
        }
        if (named != null && !named.equals(replica)) {
            throw new RequestRejected(421, "misdirected", field, (field == null ? "this upload" : field + " names an upload that")
                    + " is held by the replica " + named + ", and this is " + replica + ": " + then);
        }
    }

    /**
     * Reads every upload's record. A folder without a record (a creation cut short) or without its video
     * (moved into a job just before a crash: used) is deleted; a video longer than its recorded offset
     * was being appended to and is cut back to it.
     */
    private void recover() throws IOException {
        int kept = 0;
        int removed = 0;
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : (Iterable<Path>) folders::iterator) {
                ResumableUpload record = readRecord(folder);
                Path video = folder.resolve(VIDEO);
                if (record == null || !Files.isRegularFile(video) || !ID.matcher(folder.getFileName().toString()).matches()) {
                    DurableFiles.deleteTree(folder);
                    removed++;
                    continue;
                }
                Entry entry = new Entry(record);
                long size = Files.size(video);
                if (size > record.offset) {
                    try (var ch = DurableFiles.open(video, StandardOpenOption.WRITE)) {
                        ch.truncate(record.offset);
                        ch.force(true);
                    }
                    entry.interrupted = true;
                } else if (size < record.offset) {
                    // The disk lost bytes it said were written: the client is asked for them again.
                    LOG.warn(Subsystem.INTAKE, "resumable upload {}: {} bytes on disk, fewer than its recorded offset {}; resuming from {}",
                            record.id, size, record.offset, size);
                    record.offset = size;
                    writeRecord(folder, record);
                }
                uploads.put(record.id, entry);
                kept++;
            }
        }
        if (kept + removed > 0) {
            LOG.info(Subsystem.INTAKE, "resumable uploads in {}: {} kept, {} left by an interrupted creation or submission removed", dir, kept, removed);
        }
    }

    private ResumableUpload readRecord(Path folder) {
        try {
            ResumableUpload r = json.readValue(folder.resolve(RECORD).toFile(), ResumableUpload.class);
            return r.id != null && r.id.equals(folder.getFileName().toString()) && r.expiresAt != null ? r : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void writeRecord(Path folder, ResumableUpload record) throws IOException {
        DurableFiles.write(folder.resolve(RECORD), json.writeValueAsBytes(record));
    }

    /**
     * Makes a new upload of {@code length} bytes for {@code uid}: its folder, an empty video and its record,
     * on disk before this returns.
     *
     * @throws RequestRejected 429 when the uid would hold more than {@code igait.resumable.per-user-bytes}
     */
    public ResumableUpload create(String uid, long length, String filename, String filetype) {
        Instant now = clock.instant();
        ResumableUpload record = new ResumableUpload();
        record.id = HexFormat.of().formatHex(randomBytes());
        record.uid = uid;
        record.length = length;
        record.filename = filename;
        record.filetype = filetype;
        record.createdAt = now;
        record.expiresAt = now.plus(expireAfter);
        Entry entry = new Entry(record);
        synchronized (this) {
            long held = heldBy(uid, now);
            if (held + length > perUserBytes) {
                throw RequestRejected.retryAfter(429, "too_many_bytes", "this account holds " + held + " bytes of uploads not yet"
                        + " submitted; with " + length + " more it would pass " + perUserBytes + " (igait.resumable.per-user-bytes):"
                        + " submit or delete those first", Math.max(1, Duration.between(now, earliestExpiry(uid, now)).toSeconds()));
            }
            uploads.put(record.id, entry);
        }
        Path folder = entry.folder(dir);
        try {
            DurableFiles.createDirectories(folder);
            try (var ch = DurableFiles.open(folder.resolve(VIDEO), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            writeRecord(folder, record);
            DurableFiles.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                uploads.remove(record.id);
            }
            try {
                DurableFiles.deleteTree(folder);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            LOG.error(Subsystem.INTAKE, "cannot create a resumable upload in {}: {}", dir, e.toString());
            throw new RequestRejected(503, "storage_unavailable", null, "the service cannot store uploads right now; try again later");
        }
        LOG.info(Subsystem.INTAKE, "resumable upload {} for uid {}: created, {} bytes to come", record.id, uid, length);
        return record.copy();
    }

    private static byte[] randomBytes() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return id;
    }

    /** Bytes held for {@code uid}: its uploads not expired, finished or not (all are kept until submitted). */
    private long heldBy(String uid, Instant now) {
        long held = 0;
        for (Entry e : uploads.values()) {
            if (Objects.equals(e.record.uid, uid) && !e.record.expired(now)) {
                held += e.record.length;
            }
        }
        return held;
    }

    private Instant earliestExpiry(String uid, Instant now) {
        Instant earliest = now.plus(expireAfter);
        for (Entry e : uploads.values()) {
            if (Objects.equals(e.record.uid, uid) && !e.record.expired(now) && e.record.expiresAt.isBefore(earliest)) {
                earliest = e.record.expiresAt;
            }
        }
        return earliest;
    }

    /**
     * The upload {@code id} as it stands on disk, if it is {@code uid}'s and not expired.
     *
     * @throws RequestRejected 404 otherwise: another account's upload is not revealed
     */
    public ResumableUpload get(String id, String uid) {
        Entry entry = find(id, uid);
        synchronized (entry) {
            return entry.record.copy();
        }
    }

    /**
     * Like {@link #get}, once no PATCH holds the upload, waiting {@link #HEAD_WAITS_MS} at most for one to end
     * (then the offset on disk so far): what a HEAD answers.
     */
    public ResumableUpload settled(String id, String uid) throws InterruptedException {
        long deadline = System.nanoTime() + HEAD_WAITS_MS * 1_000_000;
        synchronized (this) {
            Entry entry = find(id, uid);
            for (long left = HEAD_WAITS_MS; entry.patch != null && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
        }
        return get(id, uid);
    }

    private synchronized Entry find(String id, String uid) {
        Entry entry = id == null ? null : uploads.get(id);
        if (entry == null || !Objects.equals(entry.record.uid, uid) || entry.record.expired(clock.instant()) || submitted(entry)) {
            throw notFound();
        }
        return entry;
    }

    private static RequestRejected notFound() {
        return new RequestRejected(404, "not_found", null, "no upload of this account at this address: it was never made,"
                + " or it has expired, was submitted or was deleted; start a new one with POST /api/v1/files");
    }

    /** A form took it and its video is in the job now: its record goes when that request is done. */
    private boolean submitted(Entry entry) {
        return entry.claimedBy != null && !Files.exists(entry.folder(dir).resolve(VIDEO));
    }

    /**
     * Starts a {@code PATCH} of {@code declared} bytes (-1: chunked) at {@code offset}: the upload is held
     * for it until the receiver closes the file ({@link AppendTarget#closed}), or the exchange ends if the
     * receiver never took it.
     *
     * @throws RequestRejected 404 (not the uid's), 423 (another PATCH, or a form, holds it), 409 (not its
     *                         offset), 413 (more than is left to its length)
     */
    public Patch patch(String id, String uid, long offset, long declared, Exchange exchange) {
        Patch patch;
        synchronized (this) {
            Entry entry = find(id, uid);
            if (entry.patch != null || entry.claimedBy != null) {
                throw RequestRejected.retryAfter(423, "locked", "this upload is being " + (entry.patch != null ? "appended to by"
                        + " another request" : "submitted") + "; send HEAD for its offset and try again", 1);
            }
            ResumableUpload record = entry.record;
            if (offset != record.offset) {
                throw new RequestRejected(409, "offset_mismatch", null, "Upload-Offset is " + offset + ", but this upload has "
                        + record.offset + " bytes: send HEAD and continue from its Upload-Offset");
            }
            if (declared > record.length - record.offset) {
                throw new RequestRejected(413, "too_large", null, "the body declares " + declared + " bytes; " + (record.length - record.offset)
                        + " are left to this upload's Upload-Length");
            }
            patch = new Patch(entry);
            entry.patch = patch;
            if (entry.interrupted) {
                entry.interrupted = false;
                resumptions.incrementAndGet();
            }
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (done.isFailed() || done.getException() != null || done.getProperty(Exchange.EXCEPTION_CAUGHT) != null) {
                    patch.entry.interrupted = true;
                }
                if (!patch.taken) {
                    patch.release();
                }
            }
        });
        return patch;
    }

    /**
     * Deletes the upload (tus termination).
     *
     * @throws RequestRejected 404 (not the uid's), 423 (a PATCH or a form holds it)
     */
    public void delete(String id, String uid) {
        Entry entry;
        synchronized (this) {
            entry = find(id, uid);
            if (entry.patch != null || entry.claimedBy != null) {
                throw RequestRejected.retryAfter(423, "locked", "this upload is in use by another request; try again", 1);
            }
            uploads.remove(id);
        }
        remove(entry, "deleted by its client");
    }

    private void remove(Entry entry, String why) {
        try {
            DurableFiles.deleteTree(entry.folder(dir));
            DurableFiles.syncDirectory(dir);
            LOG.info(Subsystem.INTAKE, "resumable upload {} for uid {}: {}", entry.record.id, entry.record.uid, why);
        } catch (IOException e) {
            LOG.warn(Subsystem.INTAKE, "cannot delete the resumable upload {}: {}", entry.record.id, e.toString());
        }
    }

    /**
     * Deletes the uploads whose time is up ({@code igait.resumable.expire-after} after their creation), finished
     * or not, unless a request holds one now (the next sweep takes it), and any folder no upload owns.
     *
     * @return how many were deleted
     */
    public int sweep() {
        Instant now = clock.instant();
        List<Entry> expired = new ArrayList<>();
        synchronized (this) {
            uploads.values().removeIf(e -> {
                if (e.record.expired(now) && e.patch == null && e.claimedBy == null) {
                    expired.add(e);
                    return true;
                }
                return false;
            });
        }
        for (Entry e : expired) {
            remove(e, "expired unsubmitted (igait.resumable.expire-after), deleted");
        }
        return expired.size();
    }

    /** Uploads not finished yet (and not expired). */
    public synchronized long unfinished() {
        Instant now = clock.instant();
        return uploads.values().stream().filter(e -> !e.record.finished() && !e.record.expired(now)).count();
    }

    /** Bytes appended to uploads and on disk, since start-up. */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** PATCHes that went on where an earlier one was cut off (by the network, the client, or a restart). */
    public long resumptions() {
        return resumptions.get();
    }

    /**
     * A form's video field naming a finished upload: held for the exchange, then gone once its video was
     * moved into the job (one rename), or free again if the form was refused.
     */
    @Override
    public ReceivedUpload.FilePart claim(String field, String reference, String uid, Exchange exchange) {
        Reference named = Reference.parse(reference);
        if (named == null) {
            throw RequestRejected.badRequest("file_expected", field, field + " must be a video file, or the URL (or id) of a"
                    + " finished upload made with POST " + PATH.substring(0, PATH.length() - 1));
        }
        String form = formPath(exchange);
        here(named.replica(), field, "post the form to " + form + "?replica=" + named.replica() + ", which the balancer sends"
                + " there (with replicas, the replica the upload URLs name: the segment after " + PATH + ")");
        String id = named.id();
        Entry entry;
        synchronized (this) {
            entry = uploads.get(id);
            if (entry == null || !Objects.equals(entry.record.uid, uid) || entry.record.expired(clock.instant()) || submitted(entry)) {
                throw RequestRejected.badRequest("unknown_upload", field, field + " names no upload of this account: it was never"
                        + " made, or it has expired, was deleted or was already submitted; upload the video again");
            }
            if (entry.patch != null || !entry.record.finished()) {
                throw RequestRejected.badRequest("unfinished_upload", field, field + " names an upload that has " + entry.record.offset
                        + " of its " + entry.record.length + " bytes: finish it, then submit the form");
            }
            if (entry.claimedBy != null) {
                throw RequestRejected.badRequest("upload_in_use", field, field + " names an upload that another form (or the"
                        + " other field of this one) is submitting");
            }
            entry.claimedBy = exchange;
        }
        Path video = entry.folder(dir).resolve(VIDEO);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                boolean used = !Files.exists(video);
                synchronized (ResumableUploads.this) {
                    entry.claimedBy = null;
                    if (used) {
                        uploads.remove(entry.record.id);
                    }
                }
                if (used) {
                    remove(entry, "submitted (its video moved into the job)");
                }
            }
        });
        byte[] head = new byte[VideoFormat.HEADER_BYTES];
        int n = 0;
        try (InputStream in = Files.newInputStream(video)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw RequestRejected.badRequest("unknown_upload", field, field + " names an upload whose video is gone; upload it again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resumable upload " + id, e);
        }
        ResumableUpload r = entry.record;
        return new ReceivedUpload.FilePart(field, r.filename, r.filetype, video, r.length, java.util.Arrays.copyOf(head, n));
    }

    /**
     * What a form's field names: {@code .../api/v1/files/<replica>/<id>} the replica and the id,
     * {@code .../api/v1/files/<id>} and the id alone the id (the replica null).
     */
    record Reference(String replica, String id) {

        /** The reference in a field's text, or null if it is none of these. */
        static Reference parse(String reference) {
            String text = reference == null ? "" : reference.strip();
            int at = text.lastIndexOf(PATH);
            if (at >= 0) {
                text = text.substring(at + PATH.length());
            } else if (text.contains("/") || text.contains(":")) {
                return null;
            }
            int end = text.length();
            for (char c : new char[] {'?', '#'}) {
                int i = text.indexOf(c);
                if (i >= 0) {
                    end = Math.min(end, i);
                }
            }
            text = text.substring(0, end);
            int slash = text.indexOf('/');
            String named = slash < 0 ? null : text.substring(0, slash);
            String id = slash < 0 ? text : text.substring(slash + 1);
            if (named != null && !Replica.isValid(named) || !ID.matcher(id).matches()) {
                return null;
            }
            return new Reference(named, id);
        }
    }

    /** The path the form was posted to ({@code /api/v1/upload}, {@code /api/v1/contribute}), for a misdirected one's answer. */
    private static String formPath(Exchange exchange) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().path() : "/api/v1/upload";
    }

    /** One PATCH appending to an upload: the receiver's target. */
    public final class Patch implements AppendTarget {
        private final Entry entry;
        private final long from;
        private volatile boolean taken;
        /** Guarded by the entry. */
        private boolean closed;
        /**
         * When the record was last written for this PATCH: from its start, so a PATCH shorter than
         * {@link #CHECKPOINT_EVERY_MS} writes it once, at its end, not also at its first flush (two fsyncs).
         */
        private long lastWrite = System.nanoTime();
        private long counted;

        private Patch(Entry entry) {
            this.entry = entry;
            this.from = entry.record.offset;
            this.counted = from;
        }

        public ResumableUpload upload() {
            synchronized (entry) {
                return entry.record.copy();
            }
        }

        @Override
        public Path file() {
            return entry.folder(dir).resolve(VIDEO);
        }

        @Override
        public long offset() {
            return from;
        }

        @Override
        public long maxBytes() {
            return entry.record.length - from;
        }

        @Override
        public void receiving() {
            taken = true;
        }

        @Override
        public void synced(long position) throws IOException {
            synchronized (entry) {
                if (closed) {
                    return;
                }
                count(position);
                long now = System.nanoTime();
                if (position > entry.record.offset && (position >= entry.record.length || now - lastWrite >= CHECKPOINT_EVERY_MS * 1_000_000)) {
                    record(position);
                    lastWrite = now;
                }
            }
        }

        @Override
        public void closed(long position, IOException failure) {
            synchronized (entry) {
                if (closed) {
                    return;
                }
                closed = true;
                count(position);
                if (position > entry.record.offset) {
                    try {
                        record(position);
                    } catch (IOException e) {
                        LOG.error(Subsystem.INTAKE, "resumable upload {}: cannot record its offset {}: {}", entry.record.id, position, e.toString());
                    }
                }
                if (failure != null) {
                    LOG.error(Subsystem.INTAKE, "resumable upload {}: cannot store its bytes: {}", entry.record.id, failure.toString());
                }
                if (entry.record.finished() && from < entry.record.length) {
                    LOG.info(Subsystem.INTAKE, "resumable upload {} for uid {}: finished, {} MB", entry.record.id, entry.record.uid,
                            entry.record.length / (1024 * 1024));
                }
            }
            release();
        }

        private void count(long position) {
            if (position > counted) {
                bytesReceived.addAndGet(position - counted);
                counted = position;
            }
        }

        /** The offset on disk, after the video's bytes up to it were fsync'd (the caller's job). */
        private void record(long position) throws IOException {
            ResumableUpload next = entry.record.copy();
            next.offset = position;
            writeRecord(entry.folder(dir), next);
            entry.record.offset = position;
        }

        private void release() {
            synchronized (ResumableUploads.this) {
                if (entry.patch == this) {
                    entry.patch = null;
                    ResumableUploads.this.notifyAll();
                }
            }
        }
    }
}
