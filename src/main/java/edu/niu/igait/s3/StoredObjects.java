package edu.niu.igait.s3;

import java.io.IOException;
import java.util.Map;

import edu.niu.igait.job.Job;
import edu.niu.igait.pipeline.Pipeline;
import org.apache.camel.Exchange;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Checks after upload that each video is in S3 with the size it has on disk. */
public class StoredObjects {

    private final S3Client s3;
    private final String bucket;
    private final Pipeline pipeline;

    public StoredObjects(S3Client s3, String bucket, Pipeline pipeline) {
        this.s3 = s3;
        this.bucket = bucket;
        this.pipeline = pipeline;
    }

    public void verify(Exchange exchange) throws IOException {
        Job job = pipeline.jobs().get(exchange.getProperty(Pipeline.SID, String.class));
        for (Map.Entry<String, Long> e : pipeline.expectedObjects(job).entrySet()) {
            long size;
            try {
                size = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(e.getKey()).build()).contentLength();
            } catch (NoSuchKeyException missing) {
                // Transient: the stage uploads again on the next attempt, if the local file is still there.
                throw new IOException("S3 object " + e.getKey() + " is missing after upload");
            }
            if (size != e.getValue()) {
                throw new IOException("S3 object " + e.getKey() + " has " + size + " bytes, expected " + e.getValue());
            }
        }
    }
}
