package edu.niu.igait.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays Metis, the cluster's SSH login node, on 127.0.0.1 with Apache MINA SSHD (the {@code sshd-core}
 * 2.16.0 that camel-ssh brings).
 *
 * <ul>
 * <li>Host keys of three types ({@link KeyType}): ECDSA nistp256, ed25519 and RSA 3072, generated at the
 * first start into the host-key folder as OpenSSH files {@code ssh_host_<type>_key} (+ {@code .pub}) and
 * loaded from there afterwards, so a restart (or a new simulator on the same folder) keeps them.
 * {@link #writeKnownHosts(Path, KeyType...)} writes {@code [127.0.0.1]:PORT <type> <key>} lines.</li>
 * <li>Public-key authentication only, against the keys given to {@link #authorize(PublicKey)}, any user
 * name unless {@link #requireUser(String)}; {@link #refuseAuthentication(boolean)} refuses everyone.
 * {@link #writeClientKey(Path, KeyType, String)} makes a client key pair (OpenSSH private key file,
 * optionally passphrase-protected, and {@code .pub}).</li>
 * <li>Exec requests: {@code qsub [-N <name>] -v USER_ID=<uid>,JOB_ID=<n> <script>} answers
 * {@code <seq>.metis-sim} on stdout with exit 0, like PBS; a {@code qsub} without a script, USER_ID or
 * JOB_ID exits 2 with a usage line on stderr; {@code qselect -N <name>} prints the PBS ids of the jobs
 * of that name, one per line (nothing when there is none), exit 0; any other command exits 127 with
 * {@code bash: <cmd>: command not found} on stderr. Every command received is recorded ({@link #commands()}), every accepted submission too
 * ({@link #submissions()}) and handed to the {@link #onSubmission(Consumer) listener} after the answer.
 * {@link #replyDelay(Duration)} holds every answer back (a stage stays open for crash tests);
 * {@link #failing(boolean)} / {@link #failNext(int)} make qsub exit 1 with
 * {@code qsub: cannot connect to server} on stderr.</li>
 * <li>A command whose session ends before its answer is sent (the client was killed, or gave up, while
 * {@link #replyDelay(Duration)} held the answer back) is <em>abandoned</em>: it stays in
 * {@link #commands()}, goes to {@link #abandoned()}, and is never a submission, as if qsub had died
 * with its session before submitting. A real qsub may have submitted by then; the simulator takes the
 * answer reaching the client as the moment of acceptance, so that "one accepted qsub" in a crash test
 * means one the service could have known about.</li>
 * </ul>
 *
 * <p>ed25519 needs no extra dependency: sshd 2.16 uses BouncyCastle's EdDSA (bcprov, which camel-ssh
 * brings) when {@code net.i2p.crypto:eddsa} is absent.
 *
 * <p>Clients must be limited to the host key algorithm whose key is in their {@code known_hosts}
 * (or the file must list every type): sshd's {@code KnownHostsServerKeyVerifier} treats a host key of a
 * type it has no line for as an unknown host. With MINA's client: {@code client.setSignatureFactories(
 * type.signatures())}, and for the user key {@code new UserAuthPublicKeyFactory(clientType.signatures())}.
 */
public final class MetisSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetisSimulator.class);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** The key types the simulator offers as host keys; also usable for client keys. */
    public enum KeyType {
        ECDSA_P256(KeyPairProvider.ECDSA_SHA2_NISTP256, 256, "ecdsa", List.of(BuiltinSignatures.nistp256)),
        ED25519(KeyPairProvider.SSH_ED25519, 256, "ed25519", List.of(BuiltinSignatures.ed25519)),
        RSA(KeyPairProvider.SSH_RSA, 3072, "rsa", List.of(BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256));

        private final String sshName;
        private final int bits;
        private final String fileTag;
        private final List<NamedFactory<Signature>> signatures;

        KeyType(String sshName, int bits, String fileTag, List<NamedFactory<Signature>> signatures) {
            this.sshName = sshName;
            this.bits = bits;
            this.fileTag = fileTag;
            this.signatures = signatures;
        }

        /** The key type as written in known_hosts and authorized_keys, e.g. {@code ssh-ed25519}. */
        public String sshName() {
            return sshName;
        }

        /** The signature algorithms of this key type (for RSA: rsa-sha2-512 and rsa-sha2-256, not SHA-1 ssh-rsa). */
        public List<NamedFactory<Signature>> signatures() {
            return signatures;
        }

        /** The host key algorithm names, as OpenSSH's {@code HostKeyAlgorithms} would list them. */
        public List<String> algorithmNames() {
            return signatures.stream().map(NamedFactory::getName).toList();
        }

        public KeyPair generate() {
            try {
                return KeyUtils.generateKeyPair(sshName, bits);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate a " + sshName + " key", e);
            }
        }
    }

    /** One accepted qsub. */
    public record QsubCall(long sequence, String pbsId, String userId, String jobId, String script,
                           Map<String, String> variables, String sshUser, String command, Instant receivedAt,
                           String jobName) {
    }

    private final Path hostKeyDir;
    private int port;
    private final Map<KeyType, KeyPair> hostKeys = new EnumMap<>(KeyType.class);
    private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<QsubCall> submissions = new CopyOnWriteArrayList<>();
    private final List<String> abandoned = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong(1000);
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger dropHandshakes = new AtomicInteger();
    private final AtomicInteger droppedHandshakes = new AtomicInteger();
    private volatile String requiredUser;
    private volatile boolean refuseAuthentication;
    private volatile boolean failing;
    private volatile Duration replyDelay = Duration.ZERO;
    private volatile boolean submitBeforeReply;
    private volatile Consumer<QsubCall> listener = call -> { };
    private volatile Consumer<QsubCall> queueHook = call -> { };
    private SshServer server;

    /**
     * A simulator on {@code port} (0: a free port chosen by the OS at the first start and kept on restarts),
     * with its host keys in {@code hostKeyDir}.
     */
    public MetisSimulator(Path hostKeyDir, int port) {
        this.hostKeyDir = hostKeyDir.toAbsolutePath();
        this.port = port;
    }

    // ---- configuration (may change while running) ----

    /** Accept this client key (any user name unless {@link #requireUser}). */
    public MetisSimulator authorize(PublicKey key) {
        authorizedKeys.add(key);
        return this;
    }

    /** Accept the key in this OpenSSH public key file ({@code <type> <base64> [comment]}, as {@code id_*.pub}). */
    public MetisSimulator authorize(Path publicKeyFile) {
        try {
            String line = Files.readString(publicKeyFile, StandardCharsets.UTF_8).trim();
            return authorize(PublicKeyEntry.parsePublicKeyEntry(line)
                    .resolvePublicKey(null, Collections.emptyMap(), PublicKeyEntryResolver.FAILING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + publicKeyFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an OpenSSH public key: " + publicKeyFile, e);
        }
    }

    /** Only this SSH user name may log in ({@code null}: any). */
    public MetisSimulator requireUser(String user) {
        this.requiredUser = user;
        return this;
    }

    /** Refuse every authentication attempt (the key is then never accepted). */
    public MetisSimulator refuseAuthentication(boolean refuse) {
        this.refuseAuthentication = refuse;
        return this;
    }

    /** Wait this long before answering any command (the client's stage stays open meanwhile). */
    public MetisSimulator replyDelay(Duration delay) {
        this.replyDelay = delay == null ? Duration.ZERO : delay;
        return this;
    }

    /** While true, every qsub exits 1 with {@code qsub: cannot connect to server} on stderr. */
    /**
     * While true, a qsub submits the job before {@link #replyDelay(Duration)} holds its answer back, as a
     * PBS server does that took the job while the answer to the client is lost: the submission counts
     * even if the session ends before the answer. Off (the default), such a command is abandoned.
     */
    public MetisSimulator submitBeforeReply(boolean before) {
        this.submitBeforeReply = before;
        return this;
    }

    /** The next {@code count} connections are dropped in the handshake, before any login (as under MaxStartups). */
    public MetisSimulator dropHandshakes(int count) {
        this.dropHandshakes.set(count);
        return this;
    }

    /** How many connections were dropped in the handshake so far. */
    public int droppedHandshakes() {
        return droppedHandshakes.get();
    }

    public MetisSimulator failing(boolean fail) {
        this.failing = fail;
        return this;
    }

    /** The next {@code count} qsub calls fail as with {@link #failing(boolean)}, then it answers again. */
    public MetisSimulator failNext(int count) {
        this.failNext.set(count);
        return this;
    }

    /** The next PBS id's number (default 1000). */
    public MetisSimulator nextSequence(long next) {
        this.sequence.set(next);
        return this;
    }

    /**
     * Called for each accepted qsub before its answer is sent, on the command's own thread: where a
     * simulated PBS keeps the job. If it throws, qsub exits 1 with {@code qsub: cannot queue the job}
     * on stderr and no submission is recorded.
     */
    public MetisSimulator onQueued(Consumer<QsubCall> hook) {
        this.queueHook = hook == null ? call -> { } : hook;
        return this;
    }

    /** Called for each accepted qsub after its answer was sent, on the command's own thread. */
    public MetisSimulator onSubmission(Consumer<QsubCall> listener) {
        this.listener = listener == null ? call -> { } : listener;
        return this;
    }

    // ---- life cycle ----

    /** Starts listening (generating or loading the host keys first). Starting a running simulator does nothing. */
    public synchronized MetisSimulator start() {
        if (server != null) {
            return this;
        }
        loadOrGenerateHostKeys();
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(Ports.LOOPBACK);
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(new ArrayList<>(hostKeys.values())));
        sshd.setUserAuthFactories(List.of(new UserAuthPublicKeyFactory()));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            if (refuseAuthentication) {
                return false;
            }
            String required = requiredUser;
            return (required == null || required.equals(user))
                    && authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
        });
        sshd.setCommandFactory((channel, command) -> new SimulatedCommand(command));
        // A server with too many connections (OpenSSH's MaxStartups) drops the new one in the handshake.
        sshd.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                if (dropHandshakes.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    droppedHandshakes.incrementAndGet();
                    session.close(true);
                }
            }
        });
        try {
            sshd.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Metis simulator on " + Ports.LOOPBACK + ":" + port, e);
        }
        port = sshd.getPort();
        server = sshd;
        return this;
    }

    /** Stops listening and closes open sessions. Stopping a stopped simulator does nothing. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stop(true);
        } catch (IOException e) {
            LOG.warn("stopping the Metis simulator: {}", e.toString());
        }
        server = null;
        Ports.awaitClosed(port, Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return server != null && server.isStarted();
    }

    public int port() {
        return port;
    }

    public String host() {
        return Ports.LOOPBACK;
    }

    /** Every command received, in order, whatever became of it. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** Every qsub accepted (answered with a PBS id), in order. */
    public List<QsubCall> submissions() {
        return List.copyOf(submissions);
    }

    /** Every command whose session ended before it was answered (never a submission), in order. */
    public List<String> abandoned() {
        return List.copyOf(abandoned);
    }

    public void clearRecords() {
        commands.clear();
        submissions.clear();
        abandoned.clear();
    }

    // ---- host keys ----

    /** The host key of this type (generated or loaded at the first start, or by this call). */
    public synchronized PublicKey hostKey(KeyType type) {
        loadOrGenerateHostKeys();
        return hostKeys.get(type).getPublic();
    }

    /** The known_hosts line for this host key: {@code [127.0.0.1]:PORT <type> <base64>} (bare host on port 22). */
    public String knownHostsLine(KeyType type) {
        if (port == 0) {
            throw new IllegalStateException("the port is chosen at start: start the simulator first");
        }
        String host = port == 22 ? Ports.LOOPBACK : "[" + Ports.LOOPBACK + "]:" + port;
        return host + " " + PublicKeyEntry.toString(hostKey(type));
    }

    /** Writes a known_hosts file with a line for each type given (all three if none given). */
    public Path writeKnownHosts(Path file, KeyType... types) {
        KeyType[] chosen = types.length == 0 ? KeyType.values() : types;
        StringBuilder text = new StringBuilder();
        for (KeyType type : chosen) {
            text.append(knownHostsLine(type)).append('\n');
        }
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private void loadOrGenerateHostKeys() {
        if (hostKeys.size() == KeyType.values().length) {
            return;
        }
        try {
            Files.createDirectories(hostKeyDir);
            for (KeyType type : KeyType.values()) {
                Path file = hostKeyDir.resolve("ssh_host_" + type.fileTag + "_key");
                KeyPair pair;
                if (Files.isRegularFile(file)) {
                    pair = readKeyPair(file);
                } else {
                    pair = type.generate();
                    writeKeyPair(pair, file, "metis-sim host key", null);
                }
                hostKeys.put(type, pair);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or write host keys in " + hostKeyDir, e);
        }
    }

    // ---- client keys ----

    /**
     * Generates a client key pair of this type, writes the private key in OpenSSH format to
     * {@code privateKeyFile} (mode 600; encrypted with bcrypt-pbkdf and aes256-ctr when a passphrase is
     * given, as {@code ssh-keygen} does) and the public key to {@code privateKeyFile + ".pub"}.
     */
    public static KeyPair writeClientKey(Path privateKeyFile, KeyType type, String passphrase) {
        KeyPair pair = type.generate();
        try {
            writeKeyPair(pair, privateKeyFile, "igait@localhost", passphrase);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + privateKeyFile, e);
        }
        return pair;
    }

    /** Reads an unencrypted OpenSSH (or PEM) private key file. */
    public static KeyPair readKeyPair(Path privateKeyFile) {
        for (KeyPair pair : new FileKeyPairProvider(privateKeyFile).loadKeys(null)) {
            return pair;
        }
        throw new IllegalStateException("no key in " + privateKeyFile);
    }

    private static void writeKeyPair(KeyPair pair, Path file, String comment, String passphrase) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null && !passphrase.isEmpty()) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setCipherName("AES");
            encryption.setCipherType("256");
            encryption.setCipherMode("CTR");
            encryption.setPassword(passphrase);
        }
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, encryption, out);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the " + KeyUtils.getKeyType(pair) + " key", e);
        } finally {
            Files.deleteIfExists(temp);
        }
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                PublicKeyEntry.toString(pair.getPublic()) + " " + comment + "\n", StandardCharsets.UTF_8);
    }

    /** Whether this JVM can do ed25519 (true with BouncyCastle or net.i2p eddsa on the class path). */
    public static boolean ed25519Supported() {
        return SecurityUtils.isEDDSACurveSupported();
    }

    // ---- the commands ----

    private final class SimulatedCommand implements Command, Runnable {
        private final String command;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private ChannelSession channel;
        private volatile Thread thread;

        SimulatedCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            // qsub reads nothing from stdin here
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            this.channel = channel;
            commands.add(command);
            Thread t = new Thread(this, "metis-sim-command");
            t.setDaemon(true);
            thread = t;
            t.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            Thread t = thread;
            if (t != null && t != Thread.currentThread()) {
                t.interrupt();
            }
        }

        @Override
        public void run() {
            try {
                QsubCall early = null;
                if (submitBeforeReply) {
                    early = accept();
                    if (early == null) {
                        return;
                    }
                }
                Duration delay = replyDelay;
                if (!delay.isZero() && !delay.isNegative()) {
                    Thread.sleep(delay.toMillis());
                }
                if (!channel.isOpen() || channel.isClosing()) {
                    if (early == null) {
                        abandoned.add(command);
                    }
                    return;
                }
                if (early != null) {
                    reply(early);
                } else {
                    QsubCall call = accept();
                    if (call != null) {
                        reply(call);
                    }
                }
            } catch (InterruptedException e) {
                // the session went away while the answer was held back (destroy() interrupts)
                abandoned.add(command);
            } catch (IOException e) {
                LOG.debug("metis-sim: cannot answer {}: {}", command, e.toString());
            } finally {
                thread = null;
            }
        }

        /**
         * Runs the command: qsub submits (returns the submission, answered by {@link #reply}); qselect
         * and anything else are answered here (returns null).
         */
        private QsubCall accept() throws IOException {
            List<String> words = WHITESPACE.splitAsStream(command.trim()).filter(w -> !w.isEmpty()).toList();
            if (!words.isEmpty() && words.get(0).equals("qselect")) {
                String name = null;
                for (int i = 1; i + 1 < words.size(); i++) {
                    if (words.get(i).equals("-N")) {
                        name = words.get(i + 1);
                    }
                }
                StringBuilder ids = new StringBuilder();
                for (QsubCall call : submissions) {
                    if (name == null || name.equals(call.jobName())) {
                        ids.append(call.pbsId()).append('\n');
                    }
                }
                finish(0, ids.toString(), null);
                return null;
            }
            if (words.isEmpty() || !words.get(0).equals("qsub")) {
                String name = words.isEmpty() ? "" : words.get(0);
                finish(127, null, "bash: " + name + ": command not found\n");
                return null;
            }
            Map<String, String> variables = new LinkedHashMap<>();
            String script = null;
            String jobName = null;
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("-v") && i + 1 < words.size()) {
                    for (String pair : words.get(++i).split(",")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            variables.put(pair.substring(0, eq), pair.substring(eq + 1));
                        }
                    }
                } else if (w.equals("-N") && i + 1 < words.size() && i + 1 != words.size() - 1) {
                    jobName = words.get(++i);
                } else if (w.startsWith("-") && i + 1 < words.size() && i + 1 != words.size() - 1) {
                    i++; // another option with its value (-q queue, -l resources ...)
                } else if (!w.startsWith("-") && i == words.size() - 1) {
                    script = w;
                }
            }
            String userId = variables.get("USER_ID");
            String jobId = variables.get("JOB_ID");
            if (script == null || userId == null || userId.isEmpty() || jobId == null || jobId.isEmpty()) {
                finish(2, null, "usage: qsub [-N name] -v USER_ID=<uid>,JOB_ID=<n> <script> (got: " + command + ")\n");
                return null;
            }
            if (failing || failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                finish(1, null, "qsub: cannot connect to server\n");
                return null;
            }
            long seq = sequence.getAndIncrement();
            String pbsId = seq + ".metis-sim";
            QsubCall call = new QsubCall(seq, pbsId, userId, jobId, script, Map.copyOf(variables),
                    channel.getSession().getUsername(), command, Instant.now(), jobName);
            try {
                queueHook.accept(call);
            } catch (RuntimeException e) {
                LOG.warn("metis-sim: cannot queue {}: {}", pbsId, e.toString());
                finish(1, null, "qsub: cannot queue the job\n");
                return null;
            }
            submissions.add(call);
            return call;
        }

        /** Answers an accepted qsub with its PBS id, then tells the listener. */
        private void reply(QsubCall call) throws IOException {
            try {
                finish(0, call.pbsId() + "\n", null);
            } catch (IOException e) {
                if (!submitBeforeReply) {
                    // the answer did not reach the client: not accepted
                    submissions.remove(call);
                    abandoned.add(command);
                }
                throw e;
            }
            try {
                listener.accept(call);
            } catch (RuntimeException e) {
                LOG.warn("metis-sim: the submission listener failed for {}: {}", call.pbsId(), e.toString());
            }
        }

        private void finish(int status, String stdout, String stderr) throws IOException {
            if (stdout != null) {
                out.write(stdout.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (stderr != null) {
                err.write(stderr.getBytes(StandardCharsets.UTF_8));
                err.flush();
            }
            exit.onExit(status, status == 0 ? "" : (stderr == null ? "" : stderr.trim()));
        }
    }
}
