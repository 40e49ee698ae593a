package edu.niu.igait.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Submission ids: 128 random bits, base64url without padding (22 characters), safe in URLs and file names. */
public final class SubmissionId {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}");

    private SubmissionId() {
    }

    public static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static boolean isValid(String sid) {
        return sid != null && FORMAT.matcher(sid).matches();
    }
}
