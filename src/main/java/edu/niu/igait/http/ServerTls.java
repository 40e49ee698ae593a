package edu.niu.igait.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

import edu.niu.igait.config.Settings;
import edu.niu.igait.config.StartupException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS served by the service itself: a PEM certificate chain and its key ({@value #CERT},
 * {@value #KEY}: what Let's Encrypt's {@code fullchain.pem} and {@code privkey.pem} are), or a
 * PKCS#12 or JKS keystore ({@value #KEYSTORE}, its password from the environment variable
 * {@value #PASSWORD_ENV}). The files are read once, at start-up: a renewed certificate takes a restart.
 * Start-up fails, naming the property, when a file cannot be read, holds no key and certificate, or
 * the key is not the certificate's.
 */
public final class ServerTls {

    public static final String CERT = "igait.http.tls.cert";
    public static final String KEY = "igait.http.tls.key";
    public static final String KEYSTORE = "igait.http.tls.keystore";
    public static final String KEYSTORE_PASSWORD = "igait.http.tls.keystore-password";
    public static final String PASSWORD_ENV = "IGAIT_TLS_KEYSTORE_PASSWORD";

    private static final Logger LOG = LoggerFactory.getLogger("igait.http");

    private final KeyCertOptions keyCert;
    /** The property that names the key, for messages. */
    private final String keyProperty;
    private final String files;

    private ServerTls(KeyCertOptions keyCert, String keyProperty, String files) {
        this.keyCert = keyCert;
        this.keyProperty = keyProperty;
        this.files = files;
    }

    /** Whether any of the properties asks for TLS (the prod profile's check reads this too). */
    public static boolean configured(Settings settings) {
        return settings.optional(CERT).isPresent() || settings.optional(KEY).isPresent() || settings.optional(KEYSTORE).isPresent();
    }

    /** The TLS the properties ask for, or empty for plain HTTP; a half or doubly given setting fails start-up. */
    public static Optional<ServerTls> fromSettings(Settings settings) {
        Optional<String> cert = settings.optional(CERT);
        Optional<String> key = settings.optional(KEY);
        Optional<String> keystore = settings.optional(KEYSTORE);
        if (keystore.isPresent() && (cert.isPresent() || key.isPresent())) {
            throw new StartupException(KEYSTORE + " and " + CERT + "/" + KEY + " are both set: give the PEM files or the keystore, not both");
        }
        if (keystore.isPresent()) {
            Path file = Path.of(keystore.get());
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String type = name.endsWith(".jks") ? "JKS" : "PKCS12";
            String password = settings.secret(PASSWORD_ENV, KEYSTORE_PASSWORD).orElse("");
            KeyStoreOptions options = new KeyStoreOptions().setType(type).setValue(read(KEYSTORE, file)).setPassword(password);
            return Optional.of(new ServerTls(options, KEYSTORE, file.toAbsolutePath().toString()));
        }
        if (cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            String missing = cert.isEmpty() ? CERT : KEY;
            String given = cert.isEmpty() ? KEY : CERT;
            throw new StartupException(missing + " is required with " + given + ": HTTPS needs the certificate chain and its private key (PEM)");
        }
        Path certFile = Path.of(cert.get());
        Path keyFile = Path.of(key.get());
        PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(read(CERT, certFile)).setKeyValue(read(KEY, keyFile));
        return Optional.of(new ServerTls(options, KEY, certFile.toAbsolutePath() + " and " + keyFile.toAbsolutePath()));
    }

    private static Buffer read(String property, Path file) {
        try {
            return Buffer.buffer(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new StartupException(property + ": cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Loads the key and certificate as the server will, and proves the key is the certificate's (a
     * signature made with one checks with the other). Logs what is served, never the key.
     */
    void check(Vertx vertx) {
        KeyManagerFactory factory;
        try {
            factory = keyCert.getKeyManagerFactory(vertx);
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            throw new StartupException(keyProperty + ": the TLS key and certificate in " + files + " cannot be loaded (" + why
                    + ")" + (keyProperty.equals(KEYSTORE) ? "; is " + PASSWORD_ENV + " the keystore's password?" : ""));
        }
        X509KeyManager keys = null;
        for (KeyManager m : factory.getKeyManagers()) {
            if (m instanceof X509KeyManager x) {
                keys = x;
            }
        }
        String alias = keys == null ? null : firstAlias(keys);
        X509Certificate[] chain = alias == null ? null : keys.getCertificateChain(alias);
        PrivateKey privateKey = alias == null ? null : keys.getPrivateKey(alias);
        if (chain == null || chain.length == 0 || privateKey == null) {
            throw new StartupException(keyProperty + ": " + files + " hold no private key with its certificate");
        }
        if (!matches(privateKey, chain[0].getPublicKey())) {
            throw new StartupException(keyProperty + ": the private key in " + files + " is not the key of the certificate "
                    + chain[0].getSubjectX500Principal().getName());
        }
        Instant notAfter = chain[0].getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            LOG.warn("HTTPS: the certificate {} expired on {}: clients will refuse it", chain[0].getSubjectX500Principal().getName(), notAfter);
        } else {
            LOG.info("HTTPS: certificate {} (valid until {}), from {}", chain[0].getSubjectX500Principal().getName(), notAfter, files);
        }
    }

    private static String firstAlias(X509KeyManager keys) {
        for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519"}) {
            String[] aliases = keys.getServerAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                return aliases[0];
            }
        }
        return null;
    }

    private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Makes a server HTTPS only, HTTP/1.1 (no ALPN, so no HTTP/2 either), with this key and certificate. */
    void apply(HttpServerOptions options) {
        options.setSsl(true).setUseAlpn(false).setKeyCertOptions(keyCert.copy());
    }
}
