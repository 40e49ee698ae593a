package edu.niu.igait.support;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import edu.niu.igait.mail.MailTemplates;

/** The links of a rendered mail, as a mail client reads them. */
public final class MailLinks {

    private static final Pattern HREF = Pattern.compile("href=\"(http[^\"]+)\"");

    private MailLinks() {
    }

    /** Every http(s) link's target: Mustache escapes '&' and '=' in the attribute (&amp;, &#61;), a client unescapes them. */
    public static List<String> in(String html) {
        List<String> links = new ArrayList<>();
        Matcher m = HREF.matcher(html);
        while (m.find()) {
            links.add(MailTemplates.unescape(m.group(1)));
        }
        return links;
    }
}
