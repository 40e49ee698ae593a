package edu.niu.igait.mail;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the mail templates ({@code routes/mail/*.html}, rendered by Mustache in {@code routes/mail.yaml})
 * are given and what is taken from them: times as the templates show them, and the subject, which is
 * the rendered template's {@code <title>} with its HTML escapes undone.
 */
public class MailTemplates {

    public static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    /** The subject when a template has no title. */
    public static final String DEFAULT_SUBJECT = "iGait";
    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTITY = Pattern.compile("&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));");

    /** A time as every mail shows it: {@code 2026-11-30 14:05:09 UTC}; empty for none. */
    public static String time(Instant time) {
        return time == null ? "" : UTC.format(time);
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
