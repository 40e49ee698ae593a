package edu.niu.igait.mail;

/** A mail ready to go: the address, the subject (the template's title) and the HTML body. */
public final class Mail {

    private final String to;
    private final String subject;
    private final String html;

    public Mail(String to, String subject, String html) {
        this.to = to;
        this.subject = subject;
        this.html = html;
    }

    public String getTo() {
        return to;
    }

    public String getSubject() {
        return subject;
    }

    public String getHtml() {
        return html;
    }

    @Override
    public String toString() {
        // The address and the body carry personal data: never in a log line.
        return "Mail[" + subject + "]";
    }
}
