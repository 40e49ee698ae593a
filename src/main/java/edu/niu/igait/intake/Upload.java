package edu.niu.igait.intake;

import java.nio.file.Path;

/** A checked upload: the child's data and the two videos, still in the server's temp upload folder. */
public record Upload(String uid, int age, String ethnicity, String sex, String height, int weight, String email,
                     Part front, Part side) {

    /** One uploaded video: where the server streamed it, its lower-case extension and size. */
    public record Part(String field, Path tempFile, String ext, long bytes) {
    }
}
