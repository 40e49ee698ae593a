package edu.niu.igait.resumable;

import java.time.Instant;

/**
 * One resumable upload as {@code data/files/<id>/upload.json} keeps it: whose it is, how long it will be,
 * what its client called it, until when it is kept, and its offset: the bytes of {@code data/files/<id>/video}
 * that are on disk (fsync'd) and that the service may report. What is in memory only (the {@code PATCH}
 * holding it, the form using it) is {@link ResumableUploads}'s, under its lock.
 */
public final class ResumableUpload {

    /** Public fields for Jackson: this is the record on disk. */
    public String id;
    /** The uid of the token that created it; null when authentication is off. */
    public String uid;
    public long length;
    public long offset;
    /** From {@code Upload-Metadata}: the client's file name (it may carry a child's name: never logged) and type. */
    public String filename;
    public String filetype;
    public Instant createdAt;
    public Instant expiresAt;

    /** Whether every byte has arrived. */
    public boolean finished() {
        return offset >= length;
    }

    boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    ResumableUpload copy() {
        ResumableUpload c = new ResumableUpload();
        c.id = id;
        c.uid = uid;
        c.length = length;
        c.offset = offset;
        c.filename = filename;
        c.filetype = filetype;
        c.createdAt = createdAt;
        c.expiresAt = expiresAt;
        return c;
    }

    @Override
    public String toString() {
        // The client's file name is left out: it may carry a child's name.
        return "ResumableUpload[" + id + ", " + offset + "/" + length + " bytes]";
    }
}
