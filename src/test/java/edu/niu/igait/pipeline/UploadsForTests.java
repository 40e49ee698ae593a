package edu.niu.igait.pipeline;

import java.net.URI;
import java.nio.file.Path;

/** The pipeline tests' upload, for tests in other packages. */
public final class UploadsForTests {

    private UploadsForTests() {
    }

    /** Posts a valid upload as the app does; returns the submission id. */
    public static String post(URI upload, String uid, String email, String ethnicity, Path front, Path side) {
        return Uploads.post(upload, uid, email, ethnicity, front, side);
    }
}
