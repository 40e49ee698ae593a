package edu.niu.igait.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.mail.MailTemplates;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * The mails the dev run's SMTP server kept, read from its folder ({@code <n>.eml}), so the list
 * survives restarts: {@code GET /dev/mail} and {@code GET /dev/mail/<n>}.
 */
public final class DevMail {

    private static final Pattern EML = Pattern.compile("(\\d+)\\.eml");
    /** A link in a mail body: http(s) or mailto, up to a quote, an angle bracket or white space. */
    private static final Pattern LINK = Pattern.compile("(?:https?://|mailto:)[^\\s\"'<>]+");
    private static final Session SESSION = Session.getInstance(new Properties());

    private final Path dir;

    public DevMail(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public Path dir() {
        return dir;
    }

    /** Every kept mail, oldest first: number, to, subject, time, the link to the raw message, and the links in its body. */
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> mail : files()) {
            out.add(summary(mail.getKey(), mail.getValue()));
        }
        return out;
    }

    /** The raw message (RFC 822) of mail {@code n}. */
    public byte[] raw(String n) {
        Path file = file(n);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private Path file(String n) {
        if (n == null || !n.matches("\\d{1,9}")) {
            throw new RequestRejected(404, "not_found", "n", "no mail with this number");
        }
        Path file = dir.resolve(Integer.parseInt(n) + ".eml");
        if (!Files.isRegularFile(file)) {
            throw new RequestRejected(404, "not_found", "n", "no mail with this number");
        }
        return file;
    }

    private List<Map.Entry<Integer, Path>> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> {
                        Matcher m = EML.matcher(p.getFileName().toString());
                        return m.matches() ? Map.entry(Integer.parseInt(m.group(1)), p) : null;
                    })
                    .filter(e -> e != null)
                    .sorted(Comparator.comparing(Map.Entry::getKey))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Map<String, Object> summary(int n, Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", n);
        try (InputStream in = Files.newInputStream(file)) {
            MimeMessage message = new MimeMessage(SESSION, in);
            m.put("to", addresses(message.getRecipients(Message.RecipientType.TO)));
            m.put("subject", message.getSubject());
            Instant time = message.getSentDate() != null ? message.getSentDate().toInstant()
                    : Files.getLastModifiedTime(file).toInstant();
            m.put("time", time.toString());
            m.put("link", "/dev/mail/" + n);
            Set<String> links = new LinkedHashSet<>();
            collectLinks(message, links);
            m.put("links", List.copyOf(links));
        } catch (IOException | MessagingException e) {
            m.put("link", "/dev/mail/" + n);
            m.put("error", "cannot read this mail: " + e.getMessage());
        }
        return m;
    }

    private static List<String> addresses(Address[] addresses) {
        List<String> out = new ArrayList<>();
        if (addresses != null) {
            for (Address a : addresses) {
                out.add(a.toString());
            }
        }
        return out;
    }

    /**
     * The links in the message's text and HTML parts, in order, once each (HTML character references decoded:
     * presigned URLs in HTML carry {@code &amp;} and {@code &#61;}).
     */
    private static void collectLinks(Part part, Set<String> links) throws MessagingException, IOException {
        if (part.isMimeType("text/*")) {
            boolean html = part.isMimeType("text/html");
            Matcher m = LINK.matcher(part.getContent().toString());
            while (m.find()) {
                links.add(html ? MailTemplates.unescape(m.group()) : m.group());
            }
        } else if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                collectLinks(multipart.getBodyPart(i), links);
            }
        }
    }
}
