package edu.niu.igait.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import edu.niu.igait.http.ClientGone;
import edu.niu.igait.http.ConnectionGuard;
import edu.niu.igait.http.HttpEdge;
import edu.niu.igait.http.MinimumRate;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.http.UploadLimits;
import edu.niu.igait.logging.Subsystem;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the upload's multipart body in one streaming pass, as a step of the {@code upload-intake}
 * route: the videos go to the upload folder as they arrive, the text fields are kept (they are
 * small), and the form is put on the exchange ({@link #FORM}) once the closing boundary has come.
 *
 * <p>The route runs on a Vert.x worker thread and takes the request paused ({@code useBodyHandler:
 * false}); this step hands the reading to the request's event loop and waits, blocking that worker
 * thread until the body is stored (the worker pool is sized for {@code igait.limits.concurrent-uploads}).
 * The wait always ends, and frees the thread, the upload's slot, its share of the memory budget and its
 * temp files: when the body has arrived; when the connection closes, even before this step began to
 * listen ({@link ConnectionGuard#onClose}); when the body arrives slower than {@code igait.http.body-min-rate}
 * ({@code 408 too_slow}); when the service stops ({@link #drain}). The platform runs the whole route in
 * one blocking call on a worker, so a Camel async step would not give the thread back either: it is the
 * deadlines and the caps on uploads at once that bound the threads held.
 * Why its own reader and not the platform's body handler: that decodes multipart with Netty's decoder,
 * which scans every byte of a video for the boundary and hands each 64 KiB chunk to a worker thread
 * on its own; that cost the intake more CPU than receiving the bytes. Here the boundary is found with
 * Boyer-Moore-Horspool ({@link MultipartParser}) and the file writes run on a writer that takes
 * whatever has queued up in one go, in writes of up to {@link #WRITE_BYTES}.
 *
 * <p>What it refuses while the body still arrives (the route answers, and the connection is closed,
 * so the rest is not read): a body larger than two videos may make, a video over its limit, a text
 * field over {@link #MAX_TEXT_BYTES}, more than {@link #MAX_PARTS} parts, a body that is not
 * well-formed multipart, a disk that would fall below {@code igait.limits.min-free-disk} (507); at the
 * end, a body without its closing boundary. Whatever it stored for a request that does not end in an
 * accepted upload is deleted when the exchange is done; a request whose connection breaks too.
 *
 * <p>A form's video fields may instead be text fields naming finished resumable uploads
 * ({@link FinishedUploads}): once the form has arrived they become file parts, so every route that
 * receives a form this way takes them.
 *
 * <p>{@link #append} reads a raw body (a tus {@code PATCH}) the same way, with the same slot, rate floor,
 * close handling, memory budget and disk checks, onto the end of an existing file ({@link AppendTarget}):
 * there nothing is deleted, whatever the end. What arrived is written, fsync'd and reported to the
 * target, also while the body still arrives, so a body cut by the network or refused half-way keeps its
 * bytes, and an offset reported is always on disk.
 */
public final class UploadReceiver {

    /** The exchange variable that holds the {@link ReceivedUpload}. */
    public static final String FORM = "igaitUpload";
    /** The exchange variable that holds the {@link AppendTarget} {@link #append} writes to. */
    public static final String APPEND = "igaitAppend";
    /** The most bytes one text field may hold (Vert.x's own form limit was the same). */
    public static final int MAX_TEXT_BYTES = 8192;
    /** The most parts a form may have: the app sends nine. */
    public static final int MAX_PARTS = 64;
    /** The writer's buffer: the file receives writes of this size. */
    static final int WRITE_BYTES = 1024 * 1024;
    /** Bytes queued for the disk above which reading from the client pauses, and below which it resumes. */
    static final long PAUSE_ABOVE = 4L * 1024 * 1024;
    static final long RESUME_BELOW = 1024 * 1024;
    /** How often the videos already on disk are flushed while the rest arrives. */
    static final long FLUSH_EVERY_MS = 250;
    /**
     * A raw body is also flushed each time this much more has been written: a tus client waits for each
     * PATCH's fsync before it sends the next, so the writeback runs beside the receiving and the fsync
     * before the answer has only the tail left.
     */
    static final long FLUSH_EVERY_BYTES = 4L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");

    private final Path uploadsDir;
    private final long maxVideoBytes;
    private final long maxRequestBytes;
    private final ExecutorService disk;
    private final MemoryBudget budget;
    /** The uploads being read now, for {@link #drain}. */
    private final java.util.Set<Receiving> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * Write buffers of uploads that have ended, for the next ones. Direct memory is freed only when a
     * GC finds its buffer unreachable, so a buffer per upload would pile up between collections (up to
     * the JVM's direct memory limit, the heap's size); reused, there are never more than the most
     * uploads read at once (igait.limits.concurrent-uploads).
     */
    private final ConcurrentLinkedQueue<ByteBuffer> freeBuffers = new ConcurrentLinkedQueue<>();
    private final AtomicLong buffersMade = new AtomicLong();
    /** Once the service stops: the System.nanoTime() by which every upload still arriving is refused 503. */
    private volatile Long drainDeadline;
    /** The API server's connections (their close), or null for a server without one (then each connection's close handler). */
    private final ConnectionGuard guard;
    private final MinimumRate minRate;
    /**
     * The longest a request's body may take to arrive, whatever its rate ({@code igait.http.body-timeout}):
     * the bound on the worker's wait when the rate floor is off and a client trickles within the idle time-out.
     */
    private volatile Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
    /** {@code igait.http.body-timeout}'s default, for receivers made without settings (tests). */
    static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofHours(6);
    /** Where a form's video fields that name finished resumable uploads are looked up (null: none are). */
    private volatile FinishedUploads finishedUploads;

    public UploadReceiver(Path uploadsDir, long maxVideoBytes, MemoryBudget budget, ConnectionGuard guard, MinimumRate minRate) {
        this(uploadsDir, maxVideoBytes, budget, diskThreads(), guard, minRate);
    }

    /** With the given disk threads (a test can hold the writes back), no guard and no rate floor. */
    UploadReceiver(Path uploadsDir, long maxVideoBytes, MemoryBudget budget, ExecutorService disk) {
        this(uploadsDir, maxVideoBytes, budget, disk, null, new MinimumRate(0, java.time.Duration.ofSeconds(30)));
    }

    UploadReceiver(Path uploadsDir, long maxVideoBytes, MemoryBudget budget, ExecutorService disk, ConnectionGuard guard,
                   MinimumRate minRate) {
        this.uploadsDir = uploadsDir;
        this.maxVideoBytes = maxVideoBytes;
        this.maxRequestBytes = HttpEdge.maxUploadRequestBytes(maxVideoBytes);
        this.budget = budget;
        this.disk = disk;
        this.guard = guard;
        this.minRate = minRate;
    }

    /** {@code igait.http.body-timeout}: the longest any request's body may take to arrive. */
    public void bodyTimeout(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("igait.http.body-timeout must be positive");
        }
        this.bodyTimeout = timeout;
    }

    private static ExecutorService diskThreads() {
        AtomicInteger threads = new AtomicInteger();
        int size = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "igait-upload-disk-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** How many write buffers this receiver has made (each upload reuses one that an ended upload gave back). */
    long writeBuffersMade() {
        return buffersMade.get();
    }

    /** The most bytes that were ever received and not yet written, over all uploads at once. */
    long peakQueuedBytes() {
        return budget.peak();
    }

    /** Bytes received and not yet written now, over all uploads. */
    public long queuedBytes() {
        return budget.used();
    }

    /** Stops the disk threads; uploads still arriving fail. */
    public void stop() {
        disk.shutdownNow();
    }

    /**
     * The service is stopping ({@code igait.shutdown.drain}): the uploads being read now, and any whose
     * reading begins from now on, have {@code grace} to arrive whole; one still arriving then is refused
     * {@code 503 unavailable} with {@code Retry-After}, its temp files deleted, so the client hears to
     * send it again instead of losing its connection.
     */
    public void drain(java.time.Duration grace) {
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        drainDeadline = deadline;
        for (Receiving receiving : active) {
            receiving.stopBy(deadline);
        }
    }

    /** Uploads being read now. */
    public int inProgress() {
        return active.size();
    }

    /** Lets the forms' video fields name finished resumable uploads (text fields holding their URL or id). */
    public void finishedUploads(FinishedUploads uploads) {
        this.finishedUploads = uploads;
    }

    /**
     * The route's step: reads the body of the exchange's request (paused, on its event loop) and puts
     * the form in the exchange variable {@link #FORM}. Blocks the calling worker thread until then.
     *
     * @throws RequestRejected for a body the service refuses (answered by the route)
     */
    public void receive(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        // The route runs in executeBlocking from the request's event loop: that context is current here.
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("the upload is not read on a Vert.x worker thread: is the route a platform-http route?");
        }
        Optional<String> boundary = MultipartParser.boundary(request.getHeader(HttpHeaders.CONTENT_TYPE));
        if (boundary.isEmpty()) {
            throw RequestRejected.badRequest("not_multipart", null, "the multipart/form-data Content-Type names no boundary");
        }
        Receiving receiving;
        try {
            receiving = new Receiving(request, context, boundary.get(), HttpEdge.admission(exchange));
        } catch (MultipartParser.MalformedMultipart e) {
            throw RequestRejected.badRequest("malformed_multipart", null, e.getMessage());
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                context.runOnContext(v -> receiving.finished());
            }
        });
        context.runOnContext(v -> receiving.start());
        ReceivedUpload form = receiving.await();
        FinishedUploads uploads = finishedUploads;
        if (uploads != null) {
            String uid = exchange.getVariable(HttpEdge.UID, String.class);
            for (String field : UploadValidator.FILE_FIELDS) {
                if (form.files(field).isEmpty() && form.values(field).size() == 1) {
                    form.replaceWithFile(field, uploads.claim(field, form.values(field).get(0), uid, exchange));
                }
            }
        }
        exchange.setVariable(FORM, form);
    }

    /**
     * The route's step for a raw body: appends the exchange's request body (paused, on its event loop) to
     * the {@link AppendTarget} in the exchange variable {@value #APPEND}, and returns once it is written and
     * fsync'd, and {@link AppendTarget#synced} told. Blocks the calling worker thread until then. Whatever
     * the end (the client gone, too slow, a refusal), the bytes that arrived stay, synced, and the target
     * hears of them; {@link AppendTarget#closed} is called once in every case, when the exchange is done
     * at the latest.
     *
     * @throws RequestRejected for a body the service refuses (answered by the route)
     */
    public void append(Exchange exchange) {
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("the body is not read on a Vert.x worker thread: is the route a platform-http route?");
        }
        AppendTarget target = exchange.getVariable(APPEND, AppendTarget.class);
        if (target == null) {
            throw new IllegalStateException("no file to append to: the route must name one in the variable " + APPEND);
        }
        Receiving receiving = new Receiving(request, context, target, HttpEdge.admission(exchange));
        target.receiving();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                context.runOnContext(v -> receiving.finished());
            }
        });
        context.runOnContext(v -> receiving.start());
        receiving.await();
    }

    private static ClientGone clientGone(Throwable cause, boolean kept) {
        return new ClientGone(kept ? "the client went away in the middle of a resumable upload's body; what arrived was kept"
                : "the client went away before its upload was read whole; nothing was kept", cause);
    }

    /** One request being read. Its methods run on the request's event loop, except the writer's and {@link #await}. */
    private final class Receiving implements MultipartParser.Listener {

        private final HttpServerRequest request;
        private final Context context;
        /** The form's parser; null for a raw body appended to {@link #target}. */
        private final MultipartParser parser;
        private final AppendTarget target;
        private final UploadLimits.Admission admission;
        private final Writer writer = new Writer();
        private final ReceivedUpload upload = new ReceivedUpload();
        private final CompletableFuture<ReceivedUpload> result = new CompletableFuture<>();
        private long received;
        private boolean over;
        /** Reading from the client is paused until the writer catches up: set by the event loop, cleared by either. */
        private final AtomicBoolean paused = new AtomicBoolean();
        /** Paused by the service at some time since the rate floor's last step (event loop only). */
        private boolean heldBack;
        private long flushTimer = -1;
        private long rateTimer = -1;

        // The part being read.
        private MultipartParser.PartHeaders part;
        private Path partFile;
        private long partBytes;
        private final byte[] head = new byte[VideoFormat.HEADER_BYTES];
        private int headLength;
        private ByteArrayOutputStream text;

        Receiving(HttpServerRequest request, Context context, String boundary, UploadLimits.Admission admission) {
            this.request = request;
            this.context = context;
            this.admission = admission;
            this.parser = new MultipartParser(boundary, this);
            this.target = null;
        }

        /** A raw body, appended to {@code target}: the file is opened at once, so it is closed (and reported) whatever happens. */
        Receiving(HttpServerRequest request, Context context, AppendTarget target, UploadLimits.Admission admission) {
            this.request = request;
            this.context = context;
            this.admission = admission;
            this.parser = null;
            this.target = target;
            writer.openAppend(target);
        }

        void start() {
            if (over) {
                return;
            }
            active.add(this);
            Long deadline = drainDeadline;
            if (deadline != null) {
                stopBy(deadline);
            }
            request.handler(this::chunk);
            request.endHandler(v -> ended());
            request.exceptionHandler(this::failed);
            // The connection's close, even one that came before this step listened (the client hung up after
            // its headers): a connection closed by the idle time-out does not always reach the request's
            // exception handler, and one closed before now never will.
            Runnable closed = () -> failed(new java.io.IOException("connection closed"));
            if (guard != null) {
                guard.onClose(request.connection(), closed);
            } else {
                request.connection().closeHandler(v -> closed.run());
            }
            if (over) {
                return;
            }
            flushTimer = context.owner().setPeriodic(FLUSH_EVERY_MS, id -> writer.checkpoint());
            if (!minRate.off()) {
                MinimumRate.Meter meter = minRate.meter();
                meter.tooSlow(0, false);
                rateTimer = context.owner().setPeriodic(minRate.stepMs(), id -> {
                    boolean held = heldBack || paused.get();
                    heldBack = paused.get();
                    if (meter.tooSlow(received, held)) {
                        tooSlow();
                    }
                });
            }
            if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT)) && request.version() != HttpVersion.HTTP_1_0) {
                request.response().writeContinue();
            }
            request.resume();
        }

        ReceivedUpload await() {
            try {
                // Ended on the event loop by the body's end, the connection's close (also on the idle time-out),
                // the rate floor, an error or the service's stop; and at the latest by igait.http.body-timeout.
                return result.get(bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                RequestRejected late = RequestRejected.retryAfter(408, "body_timeout", "the upload took longer than "
                        + bodyTimeout.toMinutes() + " min to arrive; send it again over a better connection", 60);
                context.runOnContext(v -> timedOut(late));
                throw late;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                context.runOnContext(v -> failed(e));
                throw RequestRejected.retryAfter(503, "unavailable", "the service is stopping; send the upload again shortly", 30);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        private void chunk(Buffer buffer) {
            if (over) {
                return;
            }
            ByteBuf buf = buffer.getByteBuf();
            byte[] bytes;
            int offset;
            int length = buf.readableBytes();
            if (buf.hasArray()) {
                bytes = buf.array();
                offset = buf.arrayOffset() + buf.readerIndex();
            } else {
                bytes = buffer.getBytes();
                offset = 0;
            }
            received += length;
            if (target != null) {
                appendChunk(bytes, offset, length);
                return;
            }
            try {
                if (received > maxRequestBytes) {
                    throw new RequestRejected(413, "too_large", null, "the request is larger than " + maxRequestBytes
                            + " bytes (two videos of igait.upload.max-video-bytes each)");
                }
                if (admission != null) {
                    admission.received(length);
                }
                parser.feed(bytes, offset, length);
            } catch (RequestRejected e) {
                refuse(e);
                return;
            } catch (MultipartParser.MalformedMultipart e) {
                refuse(RequestRejected.badRequest("malformed_multipart", null, "the multipart body is malformed: " + e.getMessage()));
                return;
            }
            pauseIfBehind();
        }

        /** A raw body's chunk: written up to the target's most, then cut off there (413). */
        private void appendChunk(byte[] bytes, int offset, int length) {
            long over = received - target.maxBytes();
            int keep = over > 0 ? (int) Math.max(0, length - over) : length;
            try {
                if (admission != null) {
                    admission.received(keep);
                }
            } catch (RequestRejected e) {
                refuse(e);
                return;
            }
            if (keep > 0) {
                writer.write(ByteBuffer.wrap(bytes, offset, keep));
            }
            if (over > 0) {
                refuse(new RequestRejected(413, "too_large", null, "the body carries more than the " + target.maxBytes()
                        + " bytes left to this upload's Upload-Length; the bytes up to it were kept"));
                return;
            }
            pauseIfBehind();
        }

        private void pauseIfBehind() {
            if ((writer.queued() > PAUSE_ABOVE || budget.spent()) && paused.compareAndSet(false, true)) {
                heldBack = true;
                request.pause();
                if (budget.spent()) {
                    budget.whenRoom(this::caughtUp);
                }
                // The writer may have caught up in between, before it could see the pause.
                caughtUp();
            }
        }

        /** Resumes reading (on the event loop) once this upload's writer and the shared budget have room. */
        private void caughtUp() {
            if (!paused.get() || writer.queued() >= RESUME_BELOW) {
                return;
            }
            if (!budget.hasRoom()) {
                budget.whenRoom(this::caughtUp);
                return;
            }
            if (paused.compareAndSet(true, false)) {
                context.runOnContext(v -> {
                    if (!over) {
                        request.resume();
                    }
                });
            }
        }

        @Override
        public void partBegin(MultipartParser.PartHeaders headers) {
            if (parser.partsSeen() > MAX_PARTS) {
                throw RequestRejected.badRequest("too_many_fields", null, "the form has more than " + MAX_PARTS + " parts");
            }
            part = headers;
            partBytes = 0;
            headLength = 0;
            partFile = null;
            text = null;
            if (headers.isFile()) {
                boolean wanted = UploadValidator.FILE_FIELDS.contains(headers.name()) && upload.files(headers.name()).isEmpty();
                if (wanted) {
                    partFile = uploadsDir.resolve(UUID.randomUUID().toString());
                    writer.open(partFile);
                }
            } else {
                text = new ByteArrayOutputStream();
            }
        }

        @Override
        public void partData(byte[] chunk, int offset, int length) {
            if (text != null) {
                if (text.size() + length > MAX_TEXT_BYTES) {
                    throw RequestRejected.badRequest("too_long", UploadValidator.printableName(part.name()),
                            "the text field " + UploadValidator.printableName(part.name()) + " is longer than " + MAX_TEXT_BYTES + " bytes");
                }
                text.write(chunk, offset, length);
                return;
            }
            partBytes += length;
            if (partFile == null) {
                return;
            }
            if (partBytes > maxVideoBytes) {
                throw new RequestRejected(413, "too_large", part.name(), part.name() + " is larger than "
                        + maxVideoBytes + " bytes, the most a video may be (igait.upload.max-video-bytes)");
            }
            if (headLength < head.length) {
                int n = Math.min(head.length - headLength, length);
                System.arraycopy(chunk, offset, head, headLength, n);
                headLength += n;
            }
            writer.write(ByteBuffer.wrap(chunk, offset, length));
        }

        @Override
        public void partEnd() {
            if (text != null) {
                upload.addField(part.name(), text.toString(StandardCharsets.UTF_8));
            } else {
                if (partFile != null) {
                    writer.close();
                }
                upload.addFile(new ReceivedUpload.FilePart(part.name(), part.filename(), part.contentType(), partFile,
                        partBytes, java.util.Arrays.copyOf(head, headLength)));
            }
            part = null;
            text = null;
            partFile = null;
        }

        private void ended() {
            if (over) {
                return;
            }
            if (target == null && !parser.finished()) {
                refuse(RequestRejected.badRequest("truncated", null,
                        "the multipart body ended before its closing boundary: the upload was cut short; send it again"));
                return;
            }
            stopFlushing();
            if (target != null) {
                // A raw body is written, fsync'd and reported (the writer's keep) before it is answered.
                writer.keep();
            }
            writer.whenWritten(failure -> {
                if (over) {
                    return;
                }
                if (failure != null) {
                    storageFailed(failure);
                    return;
                }
                over = true;
                if (admission != null && target == null) {
                    // A form's upload counts against the windows; a resumable upload's PATCH does not (its form will).
                    admission.bodyRead();
                }
                result.complete(upload);
            });
        }

        private void failed(Throwable t) {
            // The connection broke or timed out: nobody to answer; the route ends with this.
            if (!over) {
                over = true;
                stopFlushing();
                writer.end();
                result.completeExceptionally(clientGone(t, target != null));
            }
        }

        /** At {@code deadline} (System.nanoTime()), refuses the upload if it is still arriving: the service stops. */
        void stopBy(long deadline) {
            context.runOnContext(v -> {
                long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (millis <= 0) {
                    cutOffByShutdown();
                } else {
                    context.owner().setTimer(millis, id -> cutOffByShutdown());
                }
            });
        }

        /** Slower than igait.http.body-min-rate over its window: the slot goes to someone else. */
        private void timedOut(RequestRejected late) {
            if (over) {
                return;
            }
            LOG.info(Subsystem.INTAKE, "an upload still arriving after {} min was cut off after {} KB (igait.http.body-timeout)",
                    bodyTimeout.toMinutes(), received / 1024);
            refuse(late);
        }

        private void tooSlow() {
            if (over) {
                return;
            }
            LOG.info(Subsystem.INTAKE, "an upload arriving slower than {} bytes/s over {} s was cut off after {} KB (igait.http.body-min-rate)",
                    minRate.bytesPerSecond(), minRate.window().toSeconds(), received / 1024);
            refuse(RequestRejected.retryAfter(408, "too_slow", "the upload arrived slower than " + minRate.bytesPerSecond()
                    + " bytes per second over " + minRate.window().toSeconds() + " s; send it again over a better connection", 60));
        }

        private void cutOffByShutdown() {
            if (over) {
                return;
            }
            LOG.warn(Subsystem.INTAKE, "an upload still arriving when the service stopped was refused 503 after {} MB"
                    + " (igait.shutdown.drain): the client is told to send it again", received / (1024 * 1024));
            refuse(RequestRejected.retryAfter(503, "unavailable",
                    "the service is restarting and could not take the rest of this upload; send it again in a minute", 60));
        }

        /** The exchange is done (answered, or its connection gone): what was not moved away goes. */
        private void finished() {
            active.remove(this);
            stopFlushing();
            if (!over) {
                over = true;
                result.completeExceptionally(clientGone(null, target != null));
            }
            writer.end();
        }

        private void refuse(RequestRejected rejected) {
            if (rejected.status() == 413 && admission != null && target == null) {
                // More than a request may carry was sent: that cost the service as much as a whole upload.
                admission.bodyRead();
            }
            over = true;
            stopFlushing();
            writer.end();
            result.completeExceptionally(rejected);
        }

        private void storageFailed(Throwable failure) {
            over = true;
            writer.end();
            LOG.error(Subsystem.INTAKE, "cannot store an upload in {}: {}", uploadsDir, failure.toString());
            result.completeExceptionally(new RequestRejected(503, "storage_unavailable",
                    null, "the service cannot store uploads right now; try again later"));
        }

        private void stopFlushing() {
            if (flushTimer >= 0) {
                context.owner().cancelTimer(flushTimer);
                flushTimer = -1;
            }
            if (rateTimer >= 0) {
                context.owner().cancelTimer(rateTimer);
                rateTimer = -1;
            }
        }

        /**
         * Writes the videos on a disk thread, in order, taking in one go whatever has queued up:
         * the event loop hands over a chunk without waiting, and wakes the writer only when it is
         * idle and a write's worth has queued up, so a thread hand-off costs once per megabyte, not
         * once per chunk. Everything it is given is counted in {@link #queued()} until it is in a file.
         */
        private final class Writer implements Runnable {
            private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
            private final AtomicBoolean scheduled = new AtomicBoolean();
            private final AtomicLong queued = new AtomicLong();
            private final AtomicBoolean flushing = new AtomicBoolean();
            /** Every file opened for this request, to delete what was not moved away. Writer thread only. */
            private final List<Path> files = new ArrayList<>();
            private ByteBuffer buffer;
            private volatile FileChannel channel;
            private IOException failure;
            private volatile boolean discarded;
            /** A raw body's file (writer thread), and whether its keep is queued (event loop). */
            private AppendTarget appending;
            private long appendFrom;
            private long unflushed;
            private boolean kept;

            long queued() {
                return queued.get();
            }

            void open(Path file) {
                submit(new Open(file));
            }

            void openAppend(AppendTarget target) {
                submit(new OpenAppend(target));
            }

            /** A raw body's end, whatever it is: what is queued is written, fsync'd and reported, the file closed. */
            void keep() {
                if (!kept) {
                    kept = true;
                    submit(Keep.INSTANCE);
                }
            }

            /** The request is over: a form's files go, a raw body's bytes stay. */
            void end() {
                if (target != null) {
                    keep();
                } else {
                    discard();
                }
            }

            /** Queues a chunk; the writer is woken once a write's worth has queued up (or by the next open, close or end). */
            void write(ByteBuffer data) {
                long now = queued.addAndGet(data.remaining());
                budget.take(data.remaining());
                queue.add(data);
                if (now >= WRITE_BYTES) {
                    wake();
                }
            }

            void close() {
                submit(Close.INSTANCE);
            }

            /** Runs {@code then} on the event loop once everything before has been written (or failed). */
            void whenWritten(Handler<IOException> then) {
                submit(new Done(then));
            }

            /** Closes and deletes the files; what is still queued is dropped. */
            void discard() {
                if (!discarded) {
                    discarded = true;
                    submit(Discard.INSTANCE);
                }
            }

            /**
             * The flush timer's tick. A form's files are flushed as they stand. A raw body's target hears what is on
             * disk, so everything received by now is written first (the chunks still queued below a write's worth,
             * the write buffer's tail), then flushed: a body that pauses or stops is reported whole, not short of
             * what sat in memory.
             */
            void checkpoint() {
                if (target != null) {
                    submit(Checkpoint.INSTANCE);
                } else {
                    flushInBackground();
                }
            }

            /** Flushes the file being written, beside the writer, so the final fsync has only the tail left. */
            void flushInBackground() {
                FileChannel current = channel;
                if (current == null || !flushing.compareAndSet(false, true)) {
                    return;
                }
                AppendTarget reportTo = target;
                try {
                    disk.execute(() -> {
                        try {
                            // What was written before the fsync is on disk after it: a raw body's target hears of it.
                            long position = current.position();
                            current.force(false);
                            if (reportTo != null) {
                                reportTo.synced(position);
                            }
                        } catch (IOException | RuntimeException closedMeanwhile) {
                            // closed, moved or deleted meanwhile: nothing left to flush here
                        } finally {
                            flushing.set(false);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    flushing.set(false);
                }
            }

            private void submit(Object op) {
                queue.add(op);
                wake();
            }

            private void wake() {
                if (scheduled.compareAndSet(false, true)) {
                    try {
                        disk.execute(this);
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        scheduled.set(false);
                        failure = new IOException("the service is stopping");
                    }
                }
            }

            @Override
            public void run() {
                while (true) {
                    Object op;
                    while ((op = queue.poll()) != null) {
                        apply(op);
                    }
                    scheduled.set(false);
                    // Something added after the last poll, with the flag still set, would wait forever.
                    if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                }
            }

            private void apply(Object op) {
                if (op instanceof ByteBuffer data) {
                    int n = data.remaining();
                    if (failure == null && !discarded && channel != null) {
                        try {
                            append(data);
                        } catch (IOException e) {
                            failure = e;
                        }
                        if (appending != null && (unflushed += n) >= FLUSH_EVERY_BYTES) {
                            unflushed = 0;
                            flushInBackground();
                        }
                    }
                    budget.give(n);
                    if (queued.addAndGet(-n) < RESUME_BELOW) {
                        caughtUp();
                    }
                } else if (op instanceof Open open) {
                    if (failure == null && !discarded) {
                        try {
                            files.add(open.file);
                            channel = edu.niu.igait.job.DurableFiles.open(open.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                        } catch (IOException e) {
                            failure = e;
                        }
                    }
                } else if (op == Close.INSTANCE) {
                    try {
                        drain();
                    } catch (IOException e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                    closeChannel();
                } else if (op instanceof OpenAppend open) {
                    appending = open.target;
                    appendFrom = open.target.offset();
                    if (failure == null && !discarded) {
                        try {
                            FileChannel ch = edu.niu.igait.job.DurableFiles.open(open.target.file(), StandardOpenOption.WRITE);
                            try {
                                if (ch.size() < appendFrom) {
                                    throw new IOException(open.target.file() + " holds " + ch.size() + " bytes, fewer than its offset " + appendFrom);
                                }
                                // Bytes past the offset were never reported: the client sends them again.
                                ch.truncate(appendFrom);
                                ch.position(appendFrom);
                            } catch (IOException e) {
                                ch.close();
                                throw e;
                            }
                            channel = ch;
                        } catch (IOException e) {
                            failure = e;
                        }
                    }
                } else if (op == Checkpoint.INSTANCE) {
                    if (channel != null && failure == null) {
                        try {
                            drain();
                        } catch (IOException e) {
                            failure = e;
                        }
                        unflushed = 0;
                        flushInBackground();
                    }
                } else if (op == Keep.INSTANCE) {
                    long position = appendFrom;
                    FileChannel current = channel;
                    if (current != null) {
                        try {
                            drain();
                            position = current.position();
                            current.force(true);
                            appending.synced(position);
                        } catch (IOException e) {
                            if (failure == null) {
                                failure = e;
                            }
                        }
                    }
                    closeChannel();
                    releaseBuffer();
                    if (appending != null) {
                        appending.closed(position, failure);
                    }
                } else if (op instanceof Done done) {
                    IOException result = failure;
                    releaseBuffer();
                    context.runOnContext(v -> done.then.handle(result));
                } else if (op == Discard.INSTANCE) {
                    closeChannel();
                    releaseBuffer();
                    for (Path file : files) {
                        try {
                            Files.deleteIfExists(file);
                        } catch (IOException e) {
                            LOG.warn(Subsystem.INTAKE, "cannot delete the temp upload {}: {}", file.getFileName(), e.toString());
                        }
                    }
                    files.clear();
                }
            }

            private void append(ByteBuffer data) throws IOException {
                if (buffer == null) {
                    buffer = freeBuffers.poll();
                    if (buffer == null) {
                        buffer = ByteBuffer.allocateDirect(WRITE_BYTES);
                        buffersMade.incrementAndGet();
                    }
                }
                while (data.hasRemaining()) {
                    if (!buffer.hasRemaining()) {
                        drain();
                    }
                    int n = Math.min(buffer.remaining(), data.remaining());
                    int limit = data.limit();
                    data.limit(data.position() + n);
                    buffer.put(data);
                    data.limit(limit);
                }
                if (!buffer.hasRemaining()) {
                    drain();
                }
            }

            /** Writes out what the buffer holds. */
            private void drain() throws IOException {
                if (buffer == null || buffer.position() == 0) {
                    return;
                }
                buffer.flip();
                try {
                    if (channel != null && failure == null && !discarded) {
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    }
                } finally {
                    buffer.clear();
                }
            }

            /** The write buffer goes back for the next upload (no file is open: it is written out). */
            private void releaseBuffer() {
                if (buffer != null && channel == null) {
                    buffer.clear();
                    freeBuffers.offer(buffer);
                    buffer = null;
                }
            }

            private void closeChannel() {
                FileChannel current = channel;
                channel = null;
                if (buffer != null) {
                    buffer.clear();
                }
                if (current != null) {
                    try {
                        current.close();
                    } catch (IOException e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }
        }
    }

    private record Open(Path file) {
    }

    private record Done(Handler<IOException> then) {
    }

    private record OpenAppend(AppendTarget target) {
    }

    private enum Keep { INSTANCE }

    private enum Checkpoint { INSTANCE }

    private enum Close { INSTANCE }

    private enum Discard { INSTANCE }
}
