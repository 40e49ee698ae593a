package edu.niu.igait.completion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key Metis presents on {@code POST /api/v1/completion}. Only its SHA-256 is kept; a presented
 * key is hashed the same way and compared with {@link MessageDigest#isEqual}, so the time taken says
 * nothing about how much of it was right, nor about the key's length.
 */
public final class AccessKey {

    public static final String ENV = "IGAIT_ACCESS_KEY";
    public static final String PROPERTY = "igait.access-key";

    private final byte[] digest;

    /** @param key the configured key, or null/blank: then every call is refused */
    public AccessKey(String key) {
        this.digest = key == null || key.isBlank() ? null : sha256(key.trim());
    }

    public boolean isConfigured() {
        return digest != null;
    }

    /** Whether {@code presented} is the key; false when none is configured or none was presented. */
    public boolean matches(String presented) {
        byte[] tried = sha256(presented == null ? "" : presented);
        // Hash and compare even when nothing can match, so that a refusal takes as long as a check.
        boolean equal = MessageDigest.isEqual(tried, digest == null ? new byte[tried.length] : digest);
        return digest != null && presented != null && !presented.isEmpty() && equal;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
