package edu.niu.igait.pipeline;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.HashSet;
import java.util.Set;

import edu.niu.igait.job.MalformedJobException;

/**
 * Tells transient failures (a peer down, a time-out, a 5xx: retry with back-off) from permanent ones
 * (refused credentials, an untrusted host key, access denied, a malformed job: fail at once), and says
 * each in words a person can act on, with no secrets or medical data.
 */
public final class Failures {

    private Failures() {
    }

    public static boolean isPermanent(Throwable error) {
        for (Throwable t : chain(error)) {
            if (t instanceof PermanentFailure || t instanceof MalformedJobException) {
                return true;
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException) {
                return false;
            }
            String name = t.getClass().getName();
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws) {
                int status = aws.statusCode();
                return status == 400 || status == 401 || status == 403 || status == 404;
            }
            if (name.equals("jakarta.mail.AuthenticationFailedException")) {
                return true;
            }
            if (t instanceof jakarta.mail.SendFailedException sfe && sfe.getInvalidAddresses() != null
                    && sfe.getInvalidAddresses().length > 0) {
                return true;
            }
            if (message.startsWith("Failed to authenticate") || message.contains("Server key did not validate")
                    || message.contains("Permission denied") || message.contains("permission_denied")) {
                return true;
            }
        }
        return false;
    }

    /** A plain reason for the status value and the operator alert. */
    public static String reason(String stage, Throwable error) {
        for (Throwable t : chain(error)) {
            if (t instanceof PermanentFailure || t instanceof MalformedJobException) {
                return t.getMessage();
            }
        }
        String peer = peer(stage);
        for (Throwable t : chain(error)) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.startsWith("Failed to authenticate")) {
                return "Metis refused the SSH login (check igait.metis.user and igait.metis.key-file)";
            }
            if (message.contains("Server key did not validate")) {
                return "Metis presented a host key that igait.metis.known-hosts does not trust";
            }
            if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws) {
                return "S3 refused the request (HTTP " + aws.statusCode() + ", "
                        + (aws.awsErrorDetails() == null ? "no details" : aws.awsErrorDetails().errorCode()) + ")";
            }
            if (t.getClass().getName().equals("jakarta.mail.AuthenticationFailedException")) {
                return "the mail server refused the login (check igait.mail.username and IGAIT_MAIL_PASSWORD)";
            }
            if (t instanceof jakarta.mail.SendFailedException) {
                return "the mail server refused the recipient address";
            }
            if (message.contains("Permission denied") || message.contains("permission_denied")) {
                return "Firebase denied access (check the service account's rights)";
            }
        }
        if ("5-complete".equals(stage)) {
            // Stage 5 talks to three peers: name the one that failed.
            for (Throwable t : chain(error)) {
                if (t instanceof jakarta.mail.MessagingException) {
                    return "the mail server unavailable";
                }
                if (t instanceof software.amazon.awssdk.core.exception.SdkException) {
                    return "S3 unavailable";
                }
            }
        }
        return peer + " unavailable";
    }

    /** The peer each stage depends on, for status values like "S3 unavailable, retrying". */
    public static String peer(String stage) {
        if (stage == null) {
            return "a peer";
        }
        return switch (stage) {
            case "1-record", "5-complete" -> "Firebase";
            case "2-store" -> "S3";
            case "3-submit" -> "Metis";
            case "4-notify" -> "the mail server";
            default -> "a peer";
        };
    }

    /** A one-line, secret-free summary of the error for logs. */
    public static String summary(Throwable error) {
        Throwable root = error;
        for (Throwable t : chain(error)) {
            root = t;
        }
        String m = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ");
        if (m.length() > 200) {
            m = m.substring(0, 200) + "...";
        }
        return root.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }

    private static Iterable<Throwable> chain(Throwable error) {
        java.util.List<Throwable> list = new java.util.ArrayList<>();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            list.add(t);
        }
        return list;
    }
}
