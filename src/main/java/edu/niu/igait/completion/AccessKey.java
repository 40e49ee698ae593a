package edu.niu.igait.completion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The key Metis presents on {@code POST /api/v1/completion}: one, or two separated by a comma while
 * it is being changed (the new one is given to Metis, then the old one is removed, and Metis is never
 * refused in between). Only their SHA-256 are kept; a presented key is hashed the same way and
 * compared with every configured one by {@link MessageDigest#isEqual}, so the time taken says nothing
 * about which key nor how much of it was right, nor about the keys' length.
 */
public final class AccessKey {

    public static final String ENV = "IGAIT_ACCESS_KEY";
    public static final String PROPERTY = "igait.access-key";
    /** The most keys at once: the old and the new one while rotating. */
    public static final int MAX_KEYS = 2;

    private final List<byte[]> digests = new ArrayList<>();

    /** @param keys the configured key, or two comma-separated; null or blank: then every call is refused */
    public AccessKey(String keys) {
        for (String key : keys(keys)) {
            digests.add(sha256(key));
        }
    }

    /** The keys a configured value holds (blank parts ignored). */
    public static List<String> keys(String value) {
        List<String> keys = new ArrayList<>();
        if (value != null) {
            for (String k : value.split(",")) {
                if (!k.isBlank()) {
                    keys.add(k.trim());
                }
            }
        }
        return keys;
    }

    public boolean isConfigured() {
        return !digests.isEmpty();
    }

    /** Whether {@code presented} is one of the keys; false when none is configured or none was presented. */
    public boolean matches(String presented) {
        byte[] tried = sha256(presented == null ? "" : presented);
        // Hash and compare with every key (and with a dummy when there is none), so that a refusal
        // takes as long as a check, whichever key would have matched.
        boolean equal = false;
        for (byte[] digest : digests.isEmpty() ? List.of(new byte[tried.length]) : digests) {
            equal |= MessageDigest.isEqual(tried, digest);
        }
        return isConfigured() && presented != null && !presented.isEmpty() && equal;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
