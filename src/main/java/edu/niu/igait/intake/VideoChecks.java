package edu.niu.igait.intake;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.RequestRejected;

/**
 * The two videos of a form as {@link UploadReceiver} read it ({@code fileuploadfront} and
 * {@code fileuploadside}), checked the one way every form that carries them is checked (the upload, a
 * research contribution): each sent once, as a file; then each non-empty, at most
 * {@code igait.upload.max-video-bytes}, with an extension of {@code igait.upload.extensions} and content
 * that starts like a video of that family. What passes is handed on as an {@link Upload.Part} over the
 * file the receiver stored.
 */
public final class VideoChecks {

    public static final String FRONT = "fileuploadfront";
    public static final String SIDE = "fileuploadside";
    public static final List<String> FIELDS = List.of(FRONT, SIDE);

    private final long maxVideoBytes;
    private final Set<String> extensions;

    /** The two checked videos. */
    public record Videos(Upload.Part front, Upload.Part side) {
    }

    public VideoChecks(long maxVideoBytes, String extensions) {
        if (maxVideoBytes <= 0) {
            throw new StartupException("igait.upload.max-video-bytes must be a positive number of bytes");
        }
        this.maxVideoBytes = maxVideoBytes;
        this.extensions = new LinkedHashSet<>();
        for (String e : extensions.split("[,\\s]+")) {
            if (e.isBlank()) {
                continue;
            }
            String ext = e.trim().toLowerCase(Locale.ROOT);
            if (VideoFormat.forExtension(ext).isEmpty()) {
                throw new StartupException("igait.upload.extensions names '" + ext
                        + "', which is not a video container the service can recognise (mp4 mov m4v 3gp avi mkv webm wmv flv)");
            }
            this.extensions.add(ext);
        }
        if (this.extensions.isEmpty()) {
            throw new StartupException("igait.upload.extensions must list at least one video extension");
        }
    }

    public long maxVideoBytes() {
        return maxVideoBytes;
    }

    /**
     * The form sends each video exactly once, as a file: a missing one is the most common mistake and
     * says the most, so a form is checked for this before its text fields.
     */
    public void sent(ReceivedUpload form) {
        for (String field : FIELDS) {
            if (form.files(field).isEmpty()) {
                if (!form.values(field).isEmpty()) {
                    throw RequestRejected.badRequest("file_expected", field, field + " must be sent as a file, not as a text field");
                }
                throw RequestRejected.badRequest("missing_field", field, "the video " + field + " is missing");
            }
        }
        for (String field : FIELDS) {
            if (form.files(field).size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field,
                        field + " was sent " + form.files(field).size() + " times: send " + FRONT + " and " + SIDE + " exactly once each");
            }
            if (!form.values(field).isEmpty()) {
                throw RequestRejected.badRequest("duplicate_field", field, field + " was sent both as a file and as a text field");
            }
        }
    }

    /** The two videos, each checked (after {@link #sent}, once the text fields have passed). */
    public Videos videos(ReceivedUpload form) {
        sent(form);
        return new Videos(part(form.files(FRONT).get(0)), part(form.files(SIDE).get(0)));
    }

    private Upload.Part part(ReceivedUpload.FilePart file) {
        String field = file.field();
        String name = file.filename() == null ? "" : file.filename();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!extensions.contains(ext)) {
            throw new RequestRejected(415, "unsupported_media_type", field, field + " must be a video file with one of the extensions "
                    + String.join(", ", extensions) + (ext.isEmpty() ? "; the file name has none" : "; got '" + FormFields.printableName(ext) + "'"));
        }
        long bytes = file.bytes();
        if (bytes == 0) {
            throw RequestRejected.badRequest("empty_file", field, field + " is empty");
        }
        if (file.tempFile() == null) {
            throw new IllegalStateException(field + " was not stored by the UploadReceiver");
        }
        if (bytes > maxVideoBytes) {
            throw new RequestRejected(413, "too_large", field, field + " is " + bytes + " bytes; each video may be at most " + maxVideoBytes + " bytes");
        }
        byte[] header = file.head();
        if (!VideoFormat.headerMatches(ext, header, header.length)) {
            throw new RequestRejected(415, "unsupported_media_type", field,
                    field + " is named ." + ext + " but its content is not a " + ext + " video");
        }
        return new Upload.Part(field, file.tempFile(), ext, bytes);
    }
}
