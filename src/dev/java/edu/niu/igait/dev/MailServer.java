package edu.niu.igait.dev;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.smtp.auth.UsernameAuthentication;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * A plain SMTP server on 127.0.0.1 (GreenMail 2.1.3): no TLS, {@code AUTH PLAIN}/{@code LOGIN} offered
 * and any user name and password accepted (authentication is also optional). Each message the server
 * accepts is kept once, however many recipients it has, in arrival order; the list survives
 * {@link #stop()}/{@link #start()} on the same port (GreenMail's own mailboxes do not, they are made
 * anew at each start).
 *
 * <p>Clients: {@code mail.smtp.host=127.0.0.1}, {@code mail.smtp.port=PORT},
 * {@code mail.smtp.auth=true} or false, no {@code starttls}/{@code ssl}.
 *
 * <p>{@link #saveTo(Path)} also writes each message as {@code DIR/<n>.eml} (RFC 822, written to a
 * temporary name and renamed), {@code n} counting on from the highest number already in the folder.
 */
public final class MailServer implements AutoCloseable {

    private static final Pattern EML = Pattern.compile("(\\d+)\\.eml");

    /** A message as the server received it: the envelope and who authenticated, if anyone. */
    public record ReceivedMail(int number, MimeMessage message, String envelopeFrom, List<String> envelopeTo,
                               String authenticatedUser, Path savedAs) {
    }

    private int port;
    private Path saveDir;
    private GreenMail greenMail;
    private final List<ReceivedMail> received = new ArrayList<>();
    private int nextFileNumber = -1;

    /** An SMTP server on {@code port} (0: a free port chosen at the first start and kept on restarts). */
    public MailServer(int port) {
        this.port = port;
    }

    /** Also save every message as {@code dir/<n>.eml}. */
    public synchronized MailServer saveTo(Path dir) {
        this.saveDir = dir.toAbsolutePath();
        this.nextFileNumber = -1;
        return this;
    }

    /** Starts listening; returns once connections are accepted. Starting a running server does nothing. */
    public synchronized MailServer start() {
        if (greenMail != null) {
            return this;
        }
        if (port == 0) {
            port = Ports.freePort();
        }
        GreenMail gm = new GreenMail(new ServerSetup(port, Ports.LOOPBACK, ServerSetup.PROTOCOL_SMTP));
        gm.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        gm.start();
        UserManager users = gm.getUserManager();
        MessageDeliveryHandler deliverToMailbox = users.getMessageDeliveryHandler();
        users.setMessageDeliveryHandler(new RecordingHandler(deliverToMailbox));
        greenMail = gm;
        return this;
    }

    /** Stops listening; the received messages stay. Stopping a stopped server does nothing. */
    public synchronized void stop() {
        if (greenMail == null) {
            return;
        }
        greenMail.stop();
        greenMail = null;
        Ports.awaitClosed(port, Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return greenMail != null;
    }

    public int port() {
        return port;
    }

    public String host() {
        return Ports.LOOPBACK;
    }

    /** The messages received so far, oldest first. */
    public synchronized List<MimeMessage> messages() {
        return received.stream().map(ReceivedMail::message).toList();
    }

    /** The messages received so far with their envelope, oldest first. */
    public synchronized List<ReceivedMail> received() {
        return List.copyOf(received);
    }

    /** Forgets the messages received so far (saved files stay). */
    public synchronized void clear() {
        received.clear();
    }

    /**
     * Waits until at least {@code count} messages have arrived and returns them all.
     *
     * @throws IllegalStateException on time-out, saying how many arrived
     */
    public synchronized List<MimeMessage> awaitMessages(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("expected " + count + " mail(s) on " + host() + ":" + port
                        + " within " + timeout.toMillis() + " ms, got " + received.size());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for mail", e);
            }
        }
        return messages();
    }

    private synchronized void record(MovingMessage moving) throws MessagingException {
        MimeMessage copy = new MimeMessage(moving.getMessage());
        String user = moving.getAuthenticationState() instanceof UsernameAuthentication auth ? auth.getUsername() : null;
        String from = moving.getReturnPath() == null ? null : moving.getReturnPath().getEmail();
        List<String> to = moving.getToAddresses().stream().map(MailAddress::getEmail).toList();
        int number = received.size() + 1;
        Path saved = saveDir == null ? null : save(copy);
        received.add(new ReceivedMail(number, copy, from, to, user, saved));
        notifyAll();
    }

    private Path save(MimeMessage message) throws MessagingException {
        try {
            Files.createDirectories(saveDir);
            if (nextFileNumber < 0) {
                nextFileNumber = highestSavedNumber() + 1;
            }
            int n = nextFileNumber++;
            Path target = saveDir.resolve(n + ".eml");
            Path temp = saveDir.resolve("." + n + ".eml.tmp");
            try (OutputStream out = Files.newOutputStream(temp)) {
                message.writeTo(out);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save mail in " + saveDir, e);
        }
    }

    private int highestSavedNumber() throws IOException {
        try (Stream<Path> files = Files.list(saveDir)) {
            return files.map(p -> EML.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max().orElse(0);
        }
    }

    /**
     * GreenMail delivers a message once per recipient with the same {@link MovingMessage}: it is recorded
     * at its first delivery only, then handed to GreenMail's own handler (which files it in a mailbox).
     */
    private final class RecordingHandler implements MessageDeliveryHandler {
        private final MessageDeliveryHandler delegate;
        /** MovingMessage keeps Object's identity equality; weak so that delivered messages can go. */
        private final Set<MovingMessage> seen = Collections.newSetFromMap(new WeakHashMap<>());

        RecordingHandler(MessageDeliveryHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public com.icegreen.greenmail.user.GreenMailUser handle(MovingMessage msg, MailAddress address)
                throws MessagingException, com.icegreen.greenmail.user.UserException {
            boolean first;
            synchronized (seen) {
                first = seen.add(msg);
            }
            if (first) {
                record(msg);
            }
            return delegate.handle(msg, address);
        }
    }
}
