package edu.niu.igait.job;

import java.util.regex.Pattern;

/**
 * A Firebase uid as the service accepts it. It becomes part of S3 keys, file names, the job store's
 * paths and the Metis command, so nothing but these characters passes.
 */
public final class Uid {

    public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    public static final String RULE = "1 to 128 characters of letters, digits, '_' or '-'";

    private Uid() {
    }

    public static boolean isValid(String uid) {
        return uid != null && FORMAT.matcher(uid).matches();
    }
}
