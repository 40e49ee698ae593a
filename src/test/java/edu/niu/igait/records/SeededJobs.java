package edu.niu.igait.records;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;

/**
 * Jobs written straight into the real peers, as the pipeline (and the app) leave them: the job at
 * {@code users/<uid>/jobs/<jobId>} in the app's shape, its index {@code submissions/<sid>}, its videos
 * in S3. For tests where the pipeline itself is not the point.
 */
final class SeededJobs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SeededJobs() {
    }

    /** A job: its submission id, when, status, address and the child's data. */
    static Map<String, Object> job(String sid, long submittedSecs, String code, String value, String email, int age, String sex,
                                   String height, int weight) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("age", age);
        job.put("ethnicity", "Asian");
        job.put("sex", sex);
        job.put("height", height);
        job.put("weight", weight);
        job.put("email", email);
        job.put("status", Map.of("code", code, "value", value));
        job.put("timestamp", Map.of("secs_since_epoch", submittedSecs, "nanos_since_epoch", 0));
        job.put("submission_id", sid);
        return job;
    }

    /** Writes the job and its index; returns its submission id. */
    static String put(Peers peers, String uid, int jobId, Map<String, Object> job) {
        try {
            peers.firebase.put("users/" + uid + "/uid", Http.mapper().writeValueAsString(uid));
            peers.firebase.put("users/" + uid + "/jobs/" + jobId, Http.mapper().writeValueAsString(job));
            String sid = (String) job.get("submission_id");
            peers.firebase.put("submissions/" + sid, "{\"uid\":\"" + uid + "\",\"job_id\":" + jobId + "}");
            return sid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code users/<uid>/administrator: true}. */
    static void administrator(Peers peers, String uid) {
        try {
            peers.firebase.put("users/" + uid + "/administrator", "true");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sid() {
        return SubmissionId.next();
    }

    /** An object of random bytes in the test bucket; returns its bytes. */
    static byte[] object(Peers peers, String key, int bytes) {
        byte[] content = new byte[bytes];
        RANDOM.nextBytes(content);
        try (S3Client s3 = peers.s3.client()) {
            s3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(key).build(), RequestBody.fromBytes(content));
        }
        return content;
    }

    /** extensions.json of a job, as stage 2 writes it. */
    static void extensions(Peers peers, String uid, int jobId, String front, String side) {
        try (S3Client s3 = peers.s3.client()) {
            s3.putObject(PutObjectRequest.builder().bucket(Peers.BUCKET).key(uid + "/" + jobId + "/extensions.json").build(),
                    RequestBody.fromString("{\"front\":\"" + front + "\",\"side\":\"" + side + "\"}"));
        }
    }
}
