package edu.niu.igait.s3;

import java.io.IOException;
import java.util.Map;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Checks after upload that each object is in S3 with the size it should have. */
public class StoredObjects {

    private final S3Client s3;
    private final String bucket;

    public StoredObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** @param expected each key and its size in bytes */
    public void verify(Map<String, Long> expected) throws IOException {
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            long size;
            try {
                size = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(e.getKey()).build()).contentLength();
            } catch (NoSuchKeyException missing) {
                // May pass: the stage uploads again on the next attempt.
                throw new IOException("S3 object " + e.getKey() + " is missing after upload");
            }
            if (size != e.getValue()) {
                throw new IOException("S3 object " + e.getKey() + " has " + size + " bytes, expected " + e.getValue());
            }
        }
    }
}
