package edu.niu.igait.completion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import edu.niu.igait.support.Http;
import edu.niu.igait.support.Peers;

/** Jobs as stages 1 to 3 leave them (Firebase and S3), and the keyframed videos Metis writes. */
final class StoredJobs {

    static final String ETHNICITY = "<b>Asian & \"Other\"</b>";
    static final long SUBMITTED_SECS = 1_717_243_200L; // 2024-06-01 12:00:00 UTC
    static final String SUBMITTED_UTC = "2024-06-01 12:00:00 UTC";

    private StoredJobs() {
    }

    /** Writes {@code users/<uid>/jobs/<jobId>} in the app's shape, status Processing. */
    static void record(Peers peers, String uid, int jobId, String email) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("age", 7);
        job.put("ethnicity", ETHNICITY);
        job.put("sex", "F");
        job.put("height", "4'2\"");
        job.put("weight", 55);
        job.put("email", email);
        job.put("status", Map.of("code", "Processing", "value", "Submitted to Metis as PBS job 7.metis."));
        job.put("timestamp", Map.of("secs_since_epoch", SUBMITTED_SECS, "nanos_since_epoch", 0));
        job.put("pbs_id", "7.metis");
        try {
            peers.firebase.put("users/" + uid + "/uid", Http.mapper().writeValueAsString(uid));
            peers.firebase.put("users/" + uid + "/jobs/" + jobId, Http.mapper().writeValueAsString(job));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code users/<uid>/jobs/<jobId>} as the database holds it, or null. */
    static JsonNode job(Peers peers, String uid, int jobId) {
        JsonNode user = peers.user(uid);
        if (user == null || user.isNull() || user.get("jobs") == null) {
            return null;
        }
        JsonNode job = user.get("jobs").get(jobId);
        if (job == null) {
            job = user.get("jobs").get(Integer.toString(jobId));
        }
        return job == null || job.isNull() ? null : job;
    }

    /** Puts extensions.json and the two keyframed videos (random bytes); returns {front, side}. */
    static byte[][] keyframed(Peers peers, String uid, int jobId, String frontExt, String sideExt, int bytes) {
        SecureRandom random = new SecureRandom();
        byte[] front = new byte[bytes];
        byte[] side = new byte[bytes + 17];
        random.nextBytes(front);
        random.nextBytes(side);
        String prefix = uid + "/" + jobId + "/";
        try (S3Client s3 = peers.s3.client()) {
            s3.putObject(put(prefix + "extensions.json"), RequestBody.fromString("{\"front\":\"" + frontExt + "\",\"side\":\"" + sideExt + "\"}"));
            s3.putObject(put(prefix + "front_keyframed." + frontExt), RequestBody.fromBytes(front));
            s3.putObject(put(prefix + "side_keyframed." + sideExt), RequestBody.fromBytes(side));
        }
        return new byte[][] {front, side};
    }

    private static PutObjectRequest put(String key) {
        return PutObjectRequest.builder().bucket(Peers.BUCKET).key(key).build();
    }
}
