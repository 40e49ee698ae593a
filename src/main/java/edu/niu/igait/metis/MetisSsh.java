package edu.niu.igait.metis;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import edu.niu.igait.config.StartupException;
import org.apache.sshd.client.ClientBuilder;
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
 * {@code igait.metis.known-hosts} (ed25519, ECDSA and RSA alike; unknown or changed keys are refused)
 * and gives up on a session that stays silent longer than the command time-out, which camel-ssh
 * alone would wait on forever.
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
     * The last host key the client refused. camel-ssh reports any session that ends before the login
     * as "Failed to authenticate username ..." and drops the cause, so a failure report asks here
     * whether it was the host key that was refused.
     */
    public static final class HostKeyRejections {

        private record Rejection(long atNanos, String key) {
        }

        private volatile Rejection last;

        void record(PublicKey key) {
            last = new Rejection(System.nanoTime(), KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key));
        }

        /** The refused key ({@code <type> SHA256:<fingerprint>}) if one was refused at or after {@code nanoTime}. */
        public Optional<String> since(long nanoTime) {
            Rejection r = last;
            return r != null && r.atNanos - nanoTime >= 0 ? Optional.of(r.key) : Optional.empty();
        }
    }

    /** A client builder for camel-ssh's {@code clientBuilder} option. */
    public static ClientBuilder clientBuilder(String knownHosts, String host, int port, Duration commandTimeout) {
        return clientBuilder(knownHosts, host, port, commandTimeout, new HostKeyRejections());
    }

    /** The same, noting each host key it refuses in {@code rejections}. */
    public static ClientBuilder clientBuilder(String knownHosts, String host, int port, Duration commandTimeout,
                                              HostKeyRejections rejections) {
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
                            rejections.record(key);
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
                CoreModuleProperties.IDLE_TIMEOUT.set(client, commandTimeout);
                CoreModuleProperties.AUTH_TIMEOUT.set(client, commandTimeout);
                return client;
            }
        };
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
