package edu.niu.igait.routes;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3 for the route tests: objects in memory, put there by the test (or by the mock endpoint that
 * stands in for {@code aws2-s3:}), read by the beans through the client the service binds as
 * {@code s3Client}: the bucket check, HEAD and GET of an object, a listing by prefix. Every other call
 * fails the test.
 */
final class StandInS3 {

    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    S3Client client() {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "serviceName" -> "s3";
                    case "close" -> null;
                    case "toString" -> "StandInS3";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "headBucket" -> HeadBucketResponse.builder().build();
                    case "headObject" -> {
                        String key = ((HeadObjectRequest) args[0]).key();
                        calls.add("HEAD " + key);
                        byte[] bytes = objects.get(key);
                        if (bytes == null) {
                            throw NoSuchKeyException.builder().message("no " + key).build();
                        }
                        yield HeadObjectResponse.builder().contentLength((long) bytes.length).build();
                    }
                    case "getObjectAsBytes" -> {
                        String key = ((GetObjectRequest) args[0]).key();
                        calls.add("GET " + key);
                        byte[] bytes = objects.get(key);
                        if (bytes == null) {
                            throw NoSuchKeyException.builder().message("no " + key).build();
                        }
                        yield ResponseBytes.fromByteArray(GetObjectResponse.builder().contentLength((long) bytes.length).build(), bytes);
                    }
                    case "listObjectsV2" -> {
                        String prefix = ((ListObjectsV2Request) args[0]).prefix();
                        calls.add("LIST " + prefix);
                        yield ListObjectsV2Response.builder().isTruncated(false).contents(objects.entrySet().stream()
                                .filter(e -> e.getKey().startsWith(prefix)).sorted(Map.Entry.comparingByKey())
                                .map(e -> S3Object.builder().key(e.getKey()).size((long) e.getValue().length).build()).toList()).build();
                    }
                    default -> throw new UnsupportedOperationException("the route tests' S3 does not answer " + method.getName());
                });
    }
}
