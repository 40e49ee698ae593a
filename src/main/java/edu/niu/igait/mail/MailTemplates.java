package edu.niu.igait.mail;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheException;
import edu.niu.igait.failure.RouteError;

/**
 * What the mail templates ({@code routes/mail/*.html}, rendered by Mustache in {@code routes/mail.yaml})
 * are given and what is taken from them: times as the templates show them, and the subject, which is
 * the rendered template's {@code <title>} with its HTML escapes undone. And whether a template is one:
 * Mustache renders a tag left open ({@code {{body.jobId)}) as nothing, up to the next tag, without a
 * word, so a mail would go out without its title or first paragraphs; {@link #check(Path)} finds it,
 * naming the file and line, at start-up and before each mail.
 */
public class MailTemplates {

    /** What may stand between double braces: a name, with a section's sigil, or a comment. */
    private static final Pattern TAG = Pattern.compile("\\s*[#^/>]?\\s*(\\.|[A-Za-z_][A-Za-z0-9_.-]*)\\s*");

    public static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    /** The subject when a template has no title. */
    public static final String DEFAULT_SUBJECT = "iGait";
    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTITY = Pattern.compile("&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));");

    /** A time as every mail shows it: {@code 2026-11-30 14:05:09 UTC}; empty for none. */
    public static String time(Instant time) {
        return time == null ? "" : UTC.format(time);
    }

    /**
     * Checks a template as the route about to render it does ({@code routes/mail.yaml}); {@code path}
     * as the route names it.
     *
     * @throws RouteError naming the file and line of the first mistake
     */
    public void check(String path) {
        check(Path.of(path));
    }

    /**
     * Checks a Mustache template: every tag closed on its line and naming a value or a section (no
     * unescaped value, no change of delimiters), every section closed.
     *
     * @throws RouteError {@code <file>:<line>: <what is wrong>}, or that the file cannot be read
     */
    public static void check(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RouteError(file + ": the mail template cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        int at = 0;
        while ((at = text.indexOf("{{", at)) >= 0) {
            int line = line(text, at);
            if (text.startsWith("{{!", at)) {
                int end = text.indexOf("}}", at);
                int next = text.indexOf("{{", at + 2);
                if (end < 0 || (next >= 0 && next < end)) {
                    throw new RouteError(file + ":" + line + ": a comment {{! ... is not closed with }}");
                }
                at = end + 2;
                continue;
            }
            if (text.startsWith("{{{", at) || text.startsWith("{{&", at)) {
                throw new RouteError(file + ":" + line + ": " + excerpt(text, at) + " writes a value unescaped; write {{body.name}}"
                        + " (values come from parents' forms and from Metis)");
            }
            int end = text.indexOf("}}", at + 2);
            int next = text.indexOf("{{", at + 2);
            int eol = text.indexOf('\n', at);
            if (end < 0 || (next >= 0 && next < end) || (eol >= 0 && eol < end)) {
                throw new RouteError(file + ":" + line + ": the tag " + excerpt(text, at) + " is not closed with }} on its line");
            }
            String inside = text.substring(at + 2, end);
            if (inside.startsWith("=")) {
                throw new RouteError(file + ":" + line + ": " + excerpt(text, at) + " changes the delimiters, which the templates do not use");
            }
            if (!TAG.matcher(inside).matches()) {
                throw new RouteError(file + ":" + line + ": {{" + inside + "}} is not a value or a section (write {{body.name}},"
                        + " {{#body.items}} ... {{/body.items}})");
            }
            at = end + 2;
        }
        try {
            new DefaultMustacheFactory().compile(new StringReader(text), file.toString());
        } catch (MustacheException e) {
            throw new RouteError(file + ": " + e.getMessage(), e);
        }
    }

    private static int line(String text, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The start of a tag, as far as its line goes (at most 40 characters). */
    private static String excerpt(String text, int at) {
        int end = at;
        while (end < text.length() && end - at < 40 && text.charAt(end) != '\n') {
            end++;
        }
        return text.substring(at, end).strip();
    }

    /** A duration as every mail says it: {@code 7 days}, {@code 36 hours}, {@code 15 minutes}. */
    public static String duration(java.time.Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0 && s > 0) {
            return s / 86400 + (s == 86400 ? " day" : " days");
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + (s == 3600 ? " hour" : " hours");
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + (s == 60 ? " minute" : " minutes");
        }
        return s + (s == 1 ? " second" : " seconds");
    }

    /** The subject of a rendered mail: its title, as text (one line). */
    public String subject(String html) {
        Matcher title = html == null ? null : TITLE.matcher(html);
        if (title == null || !title.find()) {
            return DEFAULT_SUBJECT;
        }
        String text = unescape(title.group(1)).replaceAll("\\s+", " ").strip();
        return text.isEmpty() ? DEFAULT_SUBJECT : text;
    }

    /** HTML text with its character references decoded (Mustache writes {@code &#61;}, {@code &#39;}, {@code &amp;}, ...). */
    public static String unescape(String html) {
        Matcher m = ENTITY.matcher(html);
        StringBuilder out = new StringBuilder(html.length());
        while (m.find()) {
            String text;
            if (m.group(3) != null) {
                text = switch (m.group(3)) {
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "amp" -> "&";
                    case "quot" -> "\"";
                    default -> "'";
                };
            } else {
                int code = m.group(1) != null ? Integer.parseInt(m.group(1)) : Integer.parseInt(m.group(2), 16);
                text = Character.isValidCodePoint(code) ? new String(Character.toChars(code)) : m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }
}
