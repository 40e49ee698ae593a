package edu.niu.igait.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import edu.niu.igait.dev.MetisSimulator;
import edu.niu.igait.dev.Ports;

/**
 * How {@link ServiceProcess} launches the service's JVM for the tests: quick to start, since the crash
 * and shutdown tests start one or two per test. The classes come from a class-data archive (AppCDS, as
 * in the production image, see the Dockerfile) made for the test class path, and the JIT stops at C1
 * (a service that lives for seconds gains nothing from C2, whose compiler threads take the two cores
 * from the start-up). On a loaded 2-core machine a start to the first answer took 13 CPU seconds
 * without either, 3.7 with both. Neither changes what the service does; the benchmarks start it as
 * before ({@link ServiceProcess.Jvm#PLAIN}).
 *
 * <p>Java 17 archives classes from jars only, and from unsigned ones: the class path's folders
 * ({@code target/classes}, {@code target/test-classes}) are copied into jars beside them
 * ({@code target/classes.jar}; beside, so that what looks for files next to its code source still finds
 * them), and the signed jars (Bouncy Castle's) into copies without their signature under
 * {@code target/service-jvm/unsigned/}, as the service's own jar has them (the shade plugin leaves the
 * signatures out); loading and checking 640 signed classes took a sixth of a start. Jars and archive are made
 * again only when a file in those folders, a jar of the class path or the JVM changed (the key in
 * {@code target/service-jvm/key}); test JVMs running at once take turns (a file lock). The archive is
 * made by one start of the service with every route, an upload, and a SIGTERM: the JVM writes it at
 * exit. A JVM that cannot use the archive starts without it and says nothing ({@code -Xlog:cds*=off}):
 * slower, never different. When the archive cannot be made, the services start from the folders as
 * before.
 */
final class ServiceJvm {

    /** The JIT options of every test start (the archive's maker included: the archive records them). */
    private static final List<String> JIT = List.of("-XX:TieredStopAtLevel=1");
    private static final Path DIR = Path.of("target", "service-jvm").toAbsolutePath();
    /** A jar's signature files (META-INF/NAME.SF and its block). */
    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");

    /** The class path and JVM options of a quick start. */
    record Launch(String classPath, List<String> options) {
    }

    private static Launch quick;

    private ServiceJvm() {
    }

    /** The class path and options of a quick start; the first call makes (or finds) the archive. */
    static synchronized Launch quick(String classPath) {
        if (quick == null) {
            quick = make(classPath);
        }
        return quick;
    }

    private static Launch make(String classPath) {
        List<String> options = new ArrayList<>(JIT);
        options.add("-Xlog:cds*=off");
        try {
            Files.createDirectories(DIR);
            Path archive = DIR.resolve("service.jsa");
            try (FileChannel lockFile = FileChannel.open(DIR.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                // Each entry of the class path and what the quick start uses in its place (itself, mostly).
                Map<Path, Path> replaced = new LinkedHashMap<>();
                for (String entry : classPath.split(java.io.File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        Path path = Path.of(entry).toAbsolutePath();
                        replaced.put(path, replacement(path));
                    }
                }
                String jarred = String.join(java.io.File.pathSeparator, replaced.values().stream().map(Path::toString).toList());
                String key = key(replaced.keySet());
                Path keyFile = DIR.resolve("key");
                boolean made = Files.isRegularFile(archive) && Files.isRegularFile(keyFile) && Files.readString(keyFile).equals(key)
                        && replaced.entrySet().stream().allMatch(e -> e.getValue().equals(e.getKey()) || Files.isRegularFile(e.getValue()));
                if (!made) {
                    Files.deleteIfExists(keyFile);
                    Files.deleteIfExists(archive);
                    for (Map.Entry<Path, Path> entry : replaced.entrySet()) {
                        if (Files.isDirectory(entry.getKey())) {
                            jar(entry.getKey(), entry.getValue());
                        } else if (!entry.getValue().equals(entry.getKey())) {
                            unsigned(entry.getKey(), entry.getValue());
                        }
                    }
                    if (!archive(jarred, archive)) {
                        return new Launch(classPath, List.copyOf(JIT));
                    }
                    Files.writeString(keyFile, key);
                }
                options.add("-XX:SharedArchiveFile=" + archive);
                return new Launch(jarred, options);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("ServiceJvm: no class-data archive, the services start without one: " + e);
            return new Launch(classPath, List.copyOf(JIT));
        }
    }

    /**
     * One start of the service with every route (its peers nowhere: start-up never needs them), an
     * upload, and a SIGTERM; the JVM writes the archive of what it loaded as it exits. False if none came.
     */
    private static boolean archive(String classPath, Path archive) throws IOException {
        Path work = Files.createTempDirectory("igait-cds-");
        Path written = DIR.resolve("service.jsa.new");
        Files.deleteIfExists(written);
        try {
            Path key = work.resolve("metis_key");
            MetisSimulator.writeClientKey(key, MetisSimulator.KeyType.ED25519, null);
            int nowhere = Ports.freePort();
            Path knownHosts = Files.writeString(work.resolve("known_hosts"),
                    "[127.0.0.1]:" + nowhere + " " + Files.readString(Path.of(key + ".pub")).trim() + "\n");
            Map<String, String> props = new LinkedHashMap<>();
            props.put("igait.pipeline.enabled", "true");
            props.put("camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/stages/*.yaml");
            props.put("igait.data-dir", work.resolve("data").toString());
            props.put("igait.firebase.database-url", Peers.DATABASE_URL);
            // The upload's stage 1 gives up on the absent Firebase at once, so the SIGTERM does not wait for it.
            props.put("igait.firebase.timeout", "1s");
            props.put("igait.s3.endpoint", "http://127.0.0.1:" + nowhere);
            props.put("igait.s3.path-style", "true");
            props.put("igait.metis.host", "127.0.0.1");
            props.put("igait.metis.port", Integer.toString(nowhere));
            props.put("igait.metis.key-file", key.toString());
            props.put("igait.metis.known-hosts", knownHosts.toString());
            props.put("igait.mail.host", "127.0.0.1");
            props.put("igait.mail.port", Integer.toString(nowhere));
            props.put("igait.mail.security", "none");
            props.put("igait.mail.from", Peers.FROM);
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "archive", "AWS_SECRET_ACCESS_KEY", "archive",
                    "FIREBASE_DATABASE_EMULATOR_HOST", "127.0.0.1:" + nowhere);
            List<String> options = new ArrayList<>(JIT);
            options.add("-XX:ArchiveClassesAtExit=" + written);
            options.add("-Xlog:cds*=off");
            try (ServiceProcess service = ServiceProcess.launch(Path.of("").toAbsolutePath(), props, env, ServiceProcess.APP,
                    classPath, options, false, null)) {
                service.awaitHealthy();
                Path video = Videos.mp4(work.resolve("front.mp4"), 64 * 1024);
                Http.post(service.uri("/api/v1/upload"), new Multipart().field("uid", "archive").field("age", "7")
                        .field("ethnicity", "x").field("sex", "F").field("height", "120cm").field("weight", "30")
                        .field("email", "archive@example.org").file("fileuploadfront", "front.mp4", video)
                        .file("fileuploadside", "side.mp4", video));
                service.terminate();
                service.awaitExit(Duration.ofSeconds(120));
            }
            if (!Files.isRegularFile(written) || Files.size(written) == 0) {
                System.err.println("ServiceJvm: the archiving start wrote no class-data archive; the services start without one");
                return false;
            }
            Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            edu.niu.igait.job.DurableFiles.deleteTree(work);
        }
    }

    /** A folder's jar beside it, a signed jar's unsigned copy, or the entry itself. */
    private static Path replacement(Path entry) throws IOException {
        if (Files.isDirectory(entry)) {
            return entry.resolveSibling(entry.getFileName() + ".jar");
        }
        return isSigned(entry) ? DIR.resolve("unsigned").resolve(entry.getFileName()) : entry;
    }

    private static boolean isSigned(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().anyMatch(e -> SIGNATURE.matcher(e.getName()).matches());
        }
    }

    /** The jar without its signature files: a copy, from which they are deleted (the other entries are kept as they are). */
    private static void unsigned(Path signed, Path copy) throws IOException {
        Files.createDirectories(copy.getParent());
        Path written = copy.resolveSibling(copy.getFileName() + ".new");
        Files.copy(signed, written, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(written)) {
            List<Path> signatures;
            try (Stream<Path> files = Files.list(zip.getPath("/META-INF"))) {
                signatures = files.filter(f -> SIGNATURE.matcher(f.toString().substring(1)).matches()).toList();
            }
            for (Path signature : signatures) {
                Files.delete(signature);
            }
        }
        Files.move(written, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The folder's files (and its folders, for class path scanning) in a jar, stored uncompressed. */
    private static void jar(Path folder, Path jar) throws IOException {
        Path written = jar.resolveSibling(jar.getFileName() + ".new");
        try (OutputStream out = Files.newOutputStream(written);
             JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                if (file.equals(folder)) {
                    continue;
                }
                String name = folder.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (Files.isDirectory(file)) {
                    zip.putNextEntry(new JarEntry(name + "/"));
                } else {
                    zip.putNextEntry(new JarEntry(name));
                    Files.copy(file, zip);
                }
                zip.closeEntry();
            }
        }
        Files.move(written, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What the archive depends on: the JVM, the class path, every file of its folders, each jar's size and time. */
    private static String key(java.util.Collection<Path> entries) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        update(digest, System.getProperty("java.home") + "\n" + System.getProperty("java.vm.version") + "\n" + JIT + "\n");
        for (Path entry : entries) {
            update(digest, entry + "\n");
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.walk(entry)) {
                    for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        update(digest, entry.relativize(file) + "\n");
                        digest.update(Files.readAllBytes(file));
                    }
                }
            } else if (Files.isRegularFile(entry)) {
                update(digest, Files.size(entry) + " " + Files.getLastModifiedTime(entry).toMillis() + "\n");
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
    }
}
