package edu.niu.igait.intake;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that a request's raw body is appended to ({@link UploadReceiver#append}): a resumable
 * upload's bytes from the offset the service last reported. The receiver reports what is on disk as
 * it goes, so that an offset the service answers with is never ahead of the bytes that would survive
 * a crash.
 */
public interface AppendTarget {

    /** The file; it exists. */
    Path file();

    /** Where the body's first byte goes: the file is cut to this length before anything is written. */
    long offset();

    /** The most bytes the body may carry; a body that sends more is cut off here (413), what came before kept. */
    long maxBytes();

    /** The receiver has taken the target: from now on {@link #closed} will be called, once, whatever happens. */
    void receiving();

    /**
     * The file's bytes up to {@code position} are on disk (fsync'd). Called from a disk thread, while
     * the body arrives (at most every {@link UploadReceiver#FLUSH_EVERY_MS}) and once at its end.
     */
    void synced(long position) throws IOException;

    /**
     * The request is over and the file closed: {@code position} is the last one {@link #synced}, or the
     * offset if nothing was; {@code failure} is set when the disk failed. Called once, from a disk thread,
     * after every {@link #synced}.
     */
    void closed(long position, IOException failure);
}
