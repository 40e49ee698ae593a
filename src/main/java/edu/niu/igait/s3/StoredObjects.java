package edu.niu.igait.s3;

import java.io.IOException;
import java.util.Map;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Checks after upload that each object is in S3 with the size it should have (and after a deletion, that it is gone). */
public class StoredObjects {

    private final S3Client s3;
    private final String bucket;

    public StoredObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** The object's size, or empty when S3 does not hold it. */
    public java.util.OptionalLong size(String key) {
        try {
            return java.util.OptionalLong.of(s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build()).contentLength());
        } catch (NoSuchKeyException missing) {
            return java.util.OptionalLong.empty();
        }
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
