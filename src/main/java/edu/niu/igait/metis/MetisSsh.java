package edu.niu.igait.metis;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.ClientFactoryManager;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.session.ClientSessionImpl;
import org.apache.sshd.client.session.SessionFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The SSH side of Metis for camel-ssh: the client key, and a client that trusts only the host keys in
 * {@code igait.metis.known-hosts} (ed25519, ECDSA and RSA alike; unknown or changed keys are refused),
 * gives up on a session that stays silent longer than the command time-out (which camel-ssh alone
 * would wait on forever), and says why a login failed.
 */
public final class MetisSsh {

    private MetisSsh() {
    }

    /** The private key, read when a session authenticates; its passphrase from env METIS_KEY_PASSPHRASE. */
    public static KeyPairProvider keys(String keyFile) {
        if (keyFile == null || keyFile.isBlank()) {
            throw new StartupException("igait.metis.key-file is required: the private key the service logs in to Metis with");
        }
        Path path = Path.of(keyFile);
        if (!Files.isReadable(path)) {
            throw new StartupException("igait.metis.key-file " + path.toAbsolutePath() + " does not exist or cannot be read");
        }
        FileKeyPairProvider provider = new FileKeyPairProvider(path);
        String passphrase = System.getenv("METIS_KEY_PASSPHRASE");
        if (passphrase != null && !passphrase.isEmpty()) {
            provider.setPasswordFinder(FilePasswordProvider.of(passphrase));
        }
        return provider;
    }


    /**
     * A client builder for camel-ssh's {@code clientBuilder} option. camel-ssh reports any session that
     * ends before the login as "Failed to authenticate" and drops the cause; this client says instead,
     * where it knows (its sessions' login), what happened, in the pipeline's terms: a host key it
     * refused, or the server's refusal of the key, is a {@link PeerRefused} (for good); anything else
     * (a handshake that drops, a server that closes the connection when it has too many, a slow
     * answer) is a {@link PeerUnavailable}, retried.
     */
    public static ClientBuilder clientBuilder(String knownHosts, String host, int port, Duration commandTimeout) {
        if (knownHosts == null || knownHosts.isBlank()) {
            throw new StartupException("igait.metis.known-hosts is required: a known_hosts file with Metis's host keys"
                    + " (e.g. from ssh-keyscan -p PORT HOST); unknown hosts are never trusted");
        }
        Path path = Path.of(knownHosts);
        if (!Files.isReadable(path)) {
            throw new StartupException("igait.metis.known-hosts " + path.toAbsolutePath() + " does not exist or cannot be read");
        }
        List<NamedFactory<Signature>> signatures = signaturesFor(path, host, port);
        return new ClientBuilder() {
            @Override
            public SshClient build(boolean isFillWithDefaultValues) {
                SshClient client = super.build(isFillWithDefaultValues);
                KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, path) {
                    @Override
                    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
                        boolean trusted = super.verifyServerKey(session, remote, key);
                        if (!trusted) {
                            if (session instanceof LoginReporting login) {
                                login.refusedHostKey = KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
                            }
                        }
                        return trusted;
                    }
                };
                client.setServerKeyVerifier(verifier);
                // Offer only the host key types known_hosts has for Metis, so the server cannot pick
                // another type of its keys that we could not check.
                // The user key still signs with any algorithm: only host key negotiation is narrowed.
                List<NamedFactory<Signature>> all = new ArrayList<>(client.getSignatureFactories());
                client.setUserAuthFactories(List.of(new UserAuthPublicKeyFactory(all)));
                client.setSignatureFactories(signatures);
                client.setKeyExchangeFactories(preferMlKem(client.getKeyExchangeFactories()));
                CoreModuleProperties.IDLE_TIMEOUT.set(client, commandTimeout);
                CoreModuleProperties.AUTH_TIMEOUT.set(client, commandTimeout);
                client.setSessionFactory(new SessionFactory(client) {
                    @Override
                    protected ClientSessionImpl doCreateSession(IoSession ioSession) throws Exception {
                        return new LoginReporting(getClient(), ioSession, commandTimeout);
                    }
                });
                return client;
            }
        };
    }

    /** The post-quantum hybrid key exchange the client asks for first. */
    static final String ML_KEM = "mlkem768x25519-sha256";

    /**
     * MINA's order of key exchanges with ML-KEM first: mlkem768x25519-sha256 (OpenSSH 10's default) is
     * a post-quantum hybrid like sntrup761x25519-sha512, MINA's first choice, at a fraction of its cost
     * in Java (bench/pipeline: a login against the simulator in 57 ms instead of 225; stage 3's CPU per
     * job from about 117 ms to 23: see docs/PERFORMANCE.md). A server without ML-KEM (OpenSSH before 9.9) still gets sntrup761 or
     * curve25519, as before. Nothing is added or removed: the same algorithms, in another order.
     */
    static List<KeyExchangeFactory> preferMlKem(List<KeyExchangeFactory> factories) {
        List<KeyExchangeFactory> ordered = new ArrayList<>(factories);
        ordered.sort(Comparator.comparingInt(f -> ML_KEM.equals(f.getName()) ? 0 : 1));
        return ordered;
    }

    /** A session whose login, when it fails, throws what happened instead of leaving camel-ssh to guess. */
    static final class LoginReporting extends ClientSessionImpl {

        private final Duration timeout;
        /**
         * The host key the client refused, for the login's failure report. A field, not a session
         * attribute: MINA clears a session's attributes when it closes, which can happen before the
         * failed login is reported (seen once the key exchange got faster).
         */
        volatile String refusedHostKey;

        LoginReporting(ClientFactoryManager client, IoSession ioSession, Duration timeout) throws Exception {
            super(client, ioSession);
            this.timeout = timeout;
        }

        @Override
        public AuthFuture auth() throws IOException {
            AuthFuture future = super.auth();
            future.await(timeout);
            if (!future.isDone()) {
                throw new PeerUnavailable(MetisCommand.PEER, "Metis did not finish the SSH login within " + timeout.toSeconds() + " s", null);
            }
            if (future.isFailure()) {
                throw classify(future.getException(), refusedHostKey);
            }
            return future;
        }
    }

    /** A failed login in the pipeline's terms. */
    static RuntimeException classify(Throwable error, String refusedHostKey) {
        if (refusedHostKey != null) {
            return new PeerRefused(MetisCommand.PEER, "Metis presented a host key that igait.metis.known-hosts does not trust ("
                    + refusedHostKey + ")", error);
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SshException ssh) {
                int code = ssh.getDisconnectCode();
                if (code == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE
                        || code == SshConstants.SSH2_DISCONNECT_ILLEGAL_USER_NAME) {
                    return new PeerRefused(MetisCommand.PEER,
                            "Metis refused the SSH login (check igait.metis.user and igait.metis.key-file)", error);
                }
                if (code == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE) {
                    return new PeerRefused(MetisCommand.PEER,
                            "Metis presented a host key that igait.metis.known-hosts does not trust", error);
                }
            }
        }
        return new PeerUnavailable(MetisCommand.PEER, "the SSH login to Metis did not complete: "
                + (error == null ? "no reason given" : error.getMessage()), error);
    }

    static List<NamedFactory<Signature>> signaturesFor(Path knownHosts, String host, int port) {
        Set<String> types = new LinkedHashSet<>();
        try {
            Collection<KnownHostEntry> entries = KnownHostEntry.readKnownHostEntries(knownHosts);
            for (KnownHostEntry entry : entries) {
                if (entry.isHostMatch(host, port) && entry.getKeyEntry() != null) {
                    types.add(entry.getKeyEntry().getKeyType());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new StartupException("igait.metis.known-hosts " + knownHosts + " cannot be read as a known_hosts file: " + e.getMessage(), e);
        }
        if (types.isEmpty()) {
            throw new StartupException("igait.metis.known-hosts " + knownHosts + " has no key for " + host
                    + (port == 22 ? "" : " on port " + port) + " (entries for a non-default port are written [host]:port)");
        }
        List<NamedFactory<Signature>> factories = new ArrayList<>();
        for (BuiltinSignatures s : List.of(BuiltinSignatures.ed25519, BuiltinSignatures.nistp256, BuiltinSignatures.nistp384,
                BuiltinSignatures.nistp521, BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256, BuiltinSignatures.rsa)) {
            String keyType = s == BuiltinSignatures.rsaSHA512 || s == BuiltinSignatures.rsaSHA256 ? "ssh-rsa" : s.getName();
            if (types.contains(keyType) && s.isSupported()) {
                factories.add(s);
            }
        }
        return factories;
    }
}
