package edu.niu.igait.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Forms as {@link UploadReceiver} hands them to the route, for tests that stand in for the receiver. */
public final class ReceivedForms {

    private ReceivedForms() {
    }

    /** The text fields in order, and the two videos (already on disk, as the receiver leaves them). */
    public static ReceivedUpload form(Map<String, String> fields, Path front, Path side) {
        ReceivedUpload form = new ReceivedUpload();
        fields.forEach(form::addField);
        form.addFile(part(UploadValidator.FRONT, front));
        form.addFile(part(UploadValidator.SIDE, side));
        return form;
    }

    private static ReceivedUpload.FilePart part(String field, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(VideoFormat.HEADER_BYTES);
            return new ReceivedUpload.FilePart(field, file.getFileName().toString(), "video/mp4", file, Files.size(file), head);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
