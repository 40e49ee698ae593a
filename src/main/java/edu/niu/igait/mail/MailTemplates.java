package edu.niu.igait.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Mail templates are HTML files under {@code igait.mail.templates-dir} that integrators edit without
 * recompiling, read at each use. {@code {{name}}} is replaced by the value, HTML-escaped; the
 * {@code <title>} is the subject.
 */
public class MailTemplates {

    public static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");
    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private final Path dir;

    public MailTemplates(Path dir) {
        this.dir = dir;
    }

    /** Fills the template for {@code to}; its title is the subject. */
    public Mail mail(String template, String to, Map<String, ?> values) {
        String html = render(template, values);
        Matcher title = TITLE.matcher(html);
        String subject = title.find() ? unescape(title.group(1).strip()) : "iGait";
        return new Mail(to, subject, html);
    }

    public String render(String template, Map<String, ?> values) {
        Path file = dir.resolve(template + ".html");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("mail template " + file + " cannot be read", e);
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : escape(format(value))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String format(Object value) {
        return value instanceof Instant i ? UTC.format(i) : value.toString();
    }

    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }
}
