package edu.niu.igait.s3;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * A job's videos as S3 holds them under {@code <uid>/<jobId>/}: the two that were uploaded
 * ({@code front.<ext>}, {@code side.<ext>}, stage 2) and the two Metis keyframed
 * ({@code front_keyframed.<ext>}, {@code side_keyframed.<ext>}), each with the extension
 * {@code extensions.json} gives its side; and presigned GET links to them. One listing of the job's
 * folder says which are there: the others are simply not given.
 */
public class JobObjects {

    /** The kinds of video, in the order they are given: the originals, then the keyframed. */
    public static final List<String> ORIGINALS = List.of("front", "side");
    public static final List<String> KEYFRAMED = List.of("front_keyframed", "side_keyframed");
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    public JobObjects(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    /** One stored video: its kind ({@code front}, ..., {@code side_keyframed}), key, file name and size. */
    public record Video(String kind, String key, String name, long bytes) {
    }

    /** The job's videos that S3 holds now, originals first; none before stage 2 wrote extensions.json. */
    public List<Video> videos(String uid, int jobId) {
        String prefix = uid + "/" + jobId + "/";
        Map<String, Long> sizes = new HashMap<>();
        String token = null;
        do {
            ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
                    .continuationToken(token).build());
            for (S3Object o : page.contents()) {
                sizes.put(o.key(), o.size());
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        if (!sizes.containsKey(prefix + "extensions.json")) {
            return List.of();
        }
        Map<String, String> extensions = extensions(prefix);
        List<Video> videos = new ArrayList<>();
        for (List<String> kinds : List.of(ORIGINALS, KEYFRAMED)) {
            for (String kind : kinds) {
                String ext = extensions.get(kind.startsWith("front") ? "front" : "side");
                String key = prefix + kind + "." + ext;
                if (ext != null && sizes.containsKey(key)) {
                    videos.add(new Video(kind, key, kind + "." + ext, sizes.get(key)));
                }
            }
        }
        return videos;
    }

    /** {@code front} and {@code side} to their extensions, those that are valid ones; empty when the file is gone or not JSON. */
    private Map<String, String> extensions(String prefix) {
        Map<String, String> extensions = new HashMap<>();
        JsonNode json;
        try {
            json = JSON.readTree(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(prefix + "extensions.json").build())
                    .asByteArray());
        } catch (NoSuchKeyException | IOException e) {
            return extensions;
        }
        for (String side : ORIGINALS) {
            JsonNode ext = json == null ? null : json.get(side);
            if (ext != null && ext.isTextual() && EXTENSION.matcher(ext.asText()).matches()) {
                extensions.put(side, ext.asText());
            }
        }
        return extensions;
    }

    /** A presigned GET link to {@code key}, valid {@code validity} (at most 7 days: SigV4). */
    public String link(String key, Duration validity) {
        return presign(presigner, bucket, key, validity);
    }

    static String presign(S3Presigner presigner, String bucket, String key, Duration validity) {
        GetObjectPresignRequest request = GetObjectPresignRequest.builder()
                .signatureDuration(validity)
                .getObjectRequest(GetObjectRequest.builder().bucket(bucket).key(key).build())
                .build();
        return presigner.presignGetObject(request).url().toString();
    }
}
