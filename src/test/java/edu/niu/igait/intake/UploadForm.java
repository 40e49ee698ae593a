package edu.niu.igait.intake;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import edu.niu.igait.support.Multipart;
import edu.niu.igait.support.Videos;

/**
 * The upload form as the iGait app sends it, with methods to spoil it one way at a time. Videos are
 * small and in memory unless given as files.
 */
final class UploadForm {

    static final String UID = "parent_Uid-0042";
    static final String AGE = "7";
    static final String ETHNICITY = "Quechua and Basque";
    static final String SEX = "F";
    static final String HEIGHT = "4 ft 2 in";
    static final String WEIGHT = "52";
    static final String EMAIL = "parent.of.kid@example.org";

    private record Entry(String name, String value, String fileName, byte[] bytes, Path path) {
        boolean isFile() {
            return fileName != null;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    /** All nine fields, valid; the videos are small mp4 and mov files. */
    static UploadForm valid() {
        return new UploadForm()
                .text("uid", UID).text("age", AGE).text("ethnicity", ETHNICITY).text("sex", SEX)
                .text("height", HEIGHT).text("weight", WEIGHT).text("email", EMAIL)
                .file("fileuploadfront", "front.mp4", Videos.bytes("mp4", 64 * 1024))
                .file("fileuploadside", "side.mov", Videos.bytes("mov", 48 * 1024));
    }

    UploadForm text(String name, String value) {
        entries.add(new Entry(name, value, null, null, null));
        return this;
    }

    UploadForm file(String name, String fileName, byte[] bytes) {
        entries.add(new Entry(name, null, fileName, bytes, null));
        return this;
    }

    UploadForm file(String name, String fileName, Path path) {
        entries.add(new Entry(name, null, fileName, null, path));
        return this;
    }

    /** Drops every part of this name. */
    UploadForm without(String name) {
        entries.removeIf(e -> e.name.equals(name));
        return this;
    }

    /** Replaces the text field's value, in place. */
    UploadForm set(String name, String value) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name.equals(name)) {
                entries.set(i, new Entry(name, value, null, null, null));
                return this;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    /** Replaces a part with a file part of the same name, in place. */
    UploadForm setFile(String name, String fileName, byte[] bytes) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name.equals(name)) {
                entries.set(i, new Entry(name, null, fileName, bytes, null));
                return this;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    Multipart multipart() {
        Multipart m = new Multipart();
        for (Entry e : entries) {
            if (!e.isFile()) {
                m.field(e.name, e.value);
            } else if (e.path != null) {
                m.file(e.name, e.fileName, e.path);
            } else {
                m.file(e.name, e.fileName, e.bytes);
            }
        }
        return m;
    }
}
