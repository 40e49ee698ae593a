package edu.niu.igait.intake;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upload's form as {@link UploadReceiver} read it, before any check: the text fields in the
 * order sent, and every file part, the videos already on disk in the upload folder.
 */
public final class ReceivedUpload {

    /** One file part. {@code tempFile} is null for a part that was not stored (unknown or repeated field). */
    public record FilePart(String field, String filename, String contentType, Path tempFile, long bytes, byte[] head) {
        public FilePart {
            head = head.clone();
        }

        @Override
        public byte[] head() {
            return head.clone();
        }

        @Override
        public String toString() {
            // The client's file name is left out: it may carry a child's name.
            return "FilePart[" + field + ", " + bytes + " bytes]";
        }
    }

    private final Map<String, List<String>> fields = new LinkedHashMap<>();
    private final List<FilePart> files = new ArrayList<>();

    void addField(String name, String value) {
        fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }

    void addFile(FilePart part) {
        files.add(part);
    }

    /** A text field that named a finished resumable upload becomes that upload's file part ({@link FinishedUploads}). */
    void replaceWithFile(String field, FilePart part) {
        fields.remove(field);
        files.add(part);
    }

    /** Every value sent for a text field, in order; empty if none. */
    public List<String> values(String field) {
        return Collections.unmodifiableList(fields.getOrDefault(field, List.of()));
    }

    public java.util.Set<String> fieldNames() {
        return Collections.unmodifiableSet(fields.keySet());
    }

    public List<FilePart> files() {
        return Collections.unmodifiableList(files);
    }

    /** The file parts sent under this name, in order. */
    public List<FilePart> files(String field) {
        return files.stream().filter(f -> f.field().equals(field)).toList();
    }
}
