package edu.niu.igait.s3;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;

import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The S3 client the routes and beans use, saying what its failures are in the pipeline's terms where
 * they happen: S3's refusals (400, 401, 403, 404: access denied, a bucket that does not exist, a bad
 * request) become {@link PeerRefused}, which fails the job at once; everything else (connection
 * refused, time-outs, 5xx) {@link PeerUnavailable}, retried. Left as they are: a key that is not there
 * yet (the caller decides what that means).
 *
 * <p>camel-aws2-s3 asks whether the bucket exists when a route starts. This client answers yes without
 * asking S3: the service must start while S3 is down, unknown to DNS, or black-holes connections (the
 * uploads wait in their stage until it is back). A bucket that does not exist shows at the first upload
 * instead: S3 answers NoSuchBucket, a refusal, and the job fails at once with that reason.
 */
public final class S3Refusals {

    public static final String PEER = "S3";
    private static final Set<Integer> REFUSALS = Set.of(400, 401, 403, 404);
    private static final Set<String> NOT_REFUSALS = Set.of("NoSuchKey", "NoSuchUpload");

    private S3Refusals() {
    }

    /** The client, with its failures translated. */
    public static S3Client translating(S3Client client) {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("headBucket")) {
                        return HeadBucketResponse.builder().build();
                    }
                    try {
                        return method.invoke(client, args);
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        if (method.getName().equals("close")) {
                            throw cause;
                        }
                        throw translate(cause);
                    }
                });
    }

    static Throwable translate(Throwable e) {
        if (e instanceof NoSuchKeyException) {
            return e;
        }
        if (e instanceof AwsServiceException aws) {
            String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
            if (REFUSALS.contains(aws.statusCode()) && (code == null || !NOT_REFUSALS.contains(code))) {
                return new PeerRefused(PEER, "S3 refused the request (HTTP " + aws.statusCode() + ", "
                        + (code == null ? "no details" : code) + ")", e);
            }
            return new PeerUnavailable(PEER, "S3 answered HTTP " + aws.statusCode() + (code == null ? "" : " " + code), e);
        }
        if (e instanceof SdkException) {
            return new PeerUnavailable(PEER, "S3 unreachable: " + e.getMessage(), e);
        }
        return e;
    }
}
