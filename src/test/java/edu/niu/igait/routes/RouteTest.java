package edu.niu.igait.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import edu.niu.igait.app.IgaitConfiguration;
import edu.niu.igait.intake.Intake;
import edu.niu.igait.intake.Upload;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.store.JobStore;
import edu.niu.igait.support.Videos;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import static org.awaitility.Awaitility.await;

/**
 * A fast check of routes/ files: the real YAML (only the files {@link #routeFiles()} names), the
 * project's application.properties and the service's own wiring ({@link IgaitConfiguration}), in a
 * Camel context of the test's own, with no HTTP server and no peer:
 * <ul>
 * <li>the peers' clients are stand-ins, bound before the service's configuration runs (which then uses
 * them as they are): S3 is {@link StandInS3}, the S3 presigner signs with made-up keys, Metis's SSH keys
 * and client are never used; the job store is the embedded one ({@code igait.store=local});</li>
 * <li>the peers' endpoints ({@code smtp:}, {@code aws2-s3:}, {@code ssh:}) are mock endpoints that skip
 * the real one ({@code mock:smtp:mail.test}, {@code mock:aws2-s3:igait-storage}, {@code mock:ssh:metis.test:22});</li>
 * <li>retries and alerts are quick.</li>
 * </ul>
 * One context and one data folder per test class (starting a context costs more than most tests), so
 * each test works on jobs of its own uid and finds the mocks reset. Subclasses replace further beans
 * with {@link #bindAfter(Registry)}, after the service bound its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RouteTest extends CamelMainTestSupport {

    static final String MAIL = "mock:smtp:mail.test";
    static final String S3 = "mock:aws2-s3:igait-storage";
    static final String METIS = "mock:ssh:metis.test:22";
    static final String FROM = "iGait <igait@mail.test>";
    static final String OPERATOR = "ops@mail.test";

    /** Filled in {@link #doPreSetup()}: CamelTestSupport reads it in its constructor, before this class's fields are set. */
    private Properties overrides;
    protected Path data;
    protected final StandInS3 s3 = new StandInS3();

    /** The files of routes/ this test loads, e.g. {@code routes/stage.yaml}. */
    protected abstract List<String> routeFiles();

    /** Properties this test sets over application.properties and the defaults below. */
    protected void properties(Properties p) {
    }

    /** Beans this test puts in place of the service's own, bound after them (see {@link #replace}). */
    protected void bindAfter(Registry registry) {
    }

    /** Binds {@code bean} as the only bean of that name (the registry keeps one per name and type). */
    static void replace(Registry registry, String name, Object bean) {
        registry.unbind(name);
        registry.bind(name, bean);
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        overrides = new Properties();
        configuration.withUseOverridePropertiesWithPropertiesComponent(overrides);
        configuration.withMockEndpointsAndSkip("(smtp|aws2-s3|ssh):.*");
        configuration.withShutdownTimeout(5);
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties;optional=true,classpath:application.properties;optional=true";
    }

    @Override
    protected void doPreSetup() throws Exception {
        if (data != null) {
            return;
        }
        data = Files.createTempDirectory("igait-routes-");
        overrides.put("camel.main.routes-include-pattern",
                routeFiles().stream().map(f -> "file:" + f).collect(Collectors.joining(",")));
        overrides.put("camel.main.shutdown-timeout", "5");
        overrides.put("camel.server.enabled", "false");
        // No management server and no Camel meters: these tests check the routes (the service binds its own meters).
        overrides.put("camel.management.enabled", "false");
        overrides.put("camel.metrics.enabled", "false");
        overrides.put("igait.data-dir", data.toString());
        overrides.put("igait.auth.mode", "none");
        overrides.put("igait.store", "local");
        overrides.put("igait.stage.poll-delay-ms", "100");
        overrides.put("igait.retry.initial-delay-ms", "50");
        overrides.put("igait.retry.max-delay-ms", "200");
        overrides.put("igait.alerts.delay", "100ms");
        overrides.put("igait.alerts.window", "100ms");
        overrides.put("igait.mail.host", "mail.test");
        overrides.put("igait.mail.from", FROM);
        overrides.put("igait.mail.operator", OPERATOR);
        overrides.put("igait.metis.host", "metis.test");
        properties(overrides);
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        // In this order: the stand-ins first, so the service's configuration takes them for the peers' clients.
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                Registry r = context.getRegistry();
                r.bind("s3Client", S3Client.class, s3.client());
                r.bind("s3Presigner", S3Presigner.class, S3Presigner.builder().region(Region.US_EAST_2)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key", "test-secret")))
                        .build());
                r.bind("metisKeys", KeyPairProvider.class, KeyPairProvider.EMPTY_KEYPAIR_PROVIDER);
                r.bind("metisClientBuilder", ClientBuilder.class, new ClientBuilder());
            }
        });
        configuration.addConfiguration(new IgaitConfiguration());
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                bindAfter(context.getRegistry());
            }
        });
    }

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(context);
    }

    @AfterAll
    void deleteData() throws IOException {
        context.stop();
        if (data != null) {
            DurableFiles.deleteTree(data);
        }
    }

    JobRepository jobs() {
        return new JobRepository(data);
    }

    JobStore jobStore() {
        return context.getRegistry().lookupByNameAndType("jobStore", JobStore.class);
    }

    /**
     * A submission as the intake keeps it (job.json, two small videos), its ticket held in a folder no
     * stage reads until {@link #release} moves it to a stage.
     */
    Job upload(String uid, String email, String ethnicity, String height) {
        try {
            Path front = Videos.mp4(Files.createTempFile(data, "front", ".mp4"), 2000);
            Path side = Videos.video(Files.createTempFile(data, "side", ".mov"), "mov", 3000);
            Upload upload = new Upload(uid, 7, ethnicity, "F", height, 55, email,
                    new Upload.Part("fileuploadfront", front, "mp4", Files.size(front)),
                    new Upload.Part("fileuploadside", side, "mov", Files.size(side)));
            return context.getRegistry().lookupByNameAndType("intake", Intake.class).persist(upload, "hold");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A submission recorded in the job store (its job id set), held like {@link #upload}. */
    Job recorded(String uid, String email) {
        Job job = upload(uid, email, "x", "110cm");
        int id = jobStore().record(job);
        return jobs().update(job.submissionId, j -> j.jobId = id);
    }

    /** Hands the held ticket of {@code sid} to a stage (the file consumer's folder). */
    void release(String sid, String stage) {
        try {
            Files.move(data.resolve("stages/hold").resolve(sid), data.resolve("stages").resolve(stage).resolve(sid),
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a ticket of this name lies in {@code folder} (relative to the data folder). */
    Path awaitTicket(String folder, String name) {
        Path ticket = data.resolve(folder).resolve(name);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Files.exists(ticket));
        return ticket;
    }

    /** The tickets in {@code folder}, without the marker files of the ones being worked on. */
    List<String> tickets(String folder) {
        Path dir = data.resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.endsWith(".camelLock")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stored job as the app reads it. */
    @SuppressWarnings("unchecked")
    Map<String, Object> stored(String uid, int jobId) {
        return jobStore().job(uid, jobId).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
