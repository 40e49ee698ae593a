package edu.niu.igait.s3;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import edu.niu.igait.failure.PeerRefused;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Links to the videos Metis keyframed, {@code <uid>/<jobId>/front_keyframed.<ext>} and
 * {@code side_keyframed.<ext>}: the extensions come from the job's {@code extensions.json} (written
 * by stage 2), the links are presigned S3 GET URLs valid {@code igait.completion.link-validity}.
 */
public class ResultLinks {

    /** SigV4 refuses presigned URLs valid longer than this. */
    public static final Duration MAX_VALIDITY = Duration.ofDays(7);
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final Duration validity;

    public ResultLinks(S3Client s3, S3Presigner presigner, String bucket, Duration validity) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.validity = validity;
    }

    public Duration validity() {
        return validity;
    }

    /** {@code front} and {@code side}: the presigned URL of each keyframed video. */
    public Map<String, String> keyframed(String uid, int jobId) {
        String prefix = uid + "/" + jobId + "/";
        byte[] bytes = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(prefix + "extensions.json").build())
                .asByteArray();
        JsonNode extensions;
        try {
            extensions = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new PeerRefused(S3Refusals.PEER, prefix + "extensions.json in S3 is not JSON", e);
        }
        Map<String, String> links = new LinkedHashMap<>();
        for (String side : new String[] {"front", "side"}) {
            JsonNode ext = extensions == null ? null : extensions.get(side);
            if (ext == null || !ext.isTextual() || !EXTENSION.matcher(ext.asText()).matches()) {
                throw new PeerRefused(S3Refusals.PEER, prefix + "extensions.json in S3 has no valid extension for the " + side + " video", null);
            }
            links.put(side, presign(prefix + side + "_keyframed." + ext.asText()));
        }
        return links;
    }

    String presign(String key) {
        return JobObjects.presign(presigner, bucket, key, validity);
    }
}
