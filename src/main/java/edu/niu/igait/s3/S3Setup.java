package edu.niu.igait.s3;

import java.net.URI;
import java.time.Duration;

import edu.niu.igait.config.StartupException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client camel-aws2-s3 uses and the presigner for result links, configured alike: region,
 * optional endpoint and path style for S3-compatible servers, credentials from the AWS default chain.
 */
public final class S3Setup {

    private final Region region;
    private final URI endpoint;
    private final boolean pathStyle;

    public S3Setup(String region, String endpoint, boolean pathStyle) {
        if (region == null || region.isBlank()) {
            throw new StartupException("igait.s3.region is required (e.g. us-east-2)");
        }
        this.region = Region.of(region);
        if (endpoint != null && !endpoint.isBlank()) {
            try {
                this.endpoint = URI.create(endpoint);
                if (this.endpoint.getScheme() == null || this.endpoint.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
            } catch (IllegalArgumentException e) {
                throw new StartupException("igait.s3.endpoint must be a URL such as http://127.0.0.1:9000, got '" + endpoint + "'");
            }
        } else {
            this.endpoint = null;
        }
        this.pathStyle = pathStyle;
    }

    public S3Client client() {
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                // Plain payload signing that every S3-compatible server understands.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return S3Refusals.translating(builder.build());
    }

    public S3Presigner presigner() {
        var builder = S3Presigner.builder()
                .region(region)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }
}
