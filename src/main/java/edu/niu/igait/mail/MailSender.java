package edu.niu.igait.mail;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.MimeMessage;

import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import org.apache.camel.component.mail.DefaultJavaMailSender;

/**
 * camel-mail's sender (the connection of {@code igait.mail.*}: host, port, TLS, login), turning the
 * mail server's failures into the pipeline's terms where they happen: a refused login or a recipient
 * refused for good (5xx) is a {@link PeerRefused}; anything else (the server down, a time-out, a 4xx
 * "try later") is a {@link PeerUnavailable}, retried.
 */
public class MailSender extends DefaultJavaMailSender {

    public static final String PEER = "mail";

    @Override
    public void send(MimeMessage message) throws MessagingException {
        try {
            super.send(message);
        } catch (AuthenticationFailedException e) {
            throw new PeerRefused(PEER, "the mail server refused the login (check igait.mail.username and IGAIT_MAIL_PASSWORD)"
                    + code(e), null);
        } catch (SendFailedException e) {
            if (e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0) {
                throw new PeerRefused(PEER, "the mail server refused the recipient address" + code(e), null);
            }
            throw new PeerUnavailable(PEER, "the mail server did not take the mail" + code(e), null);
        } catch (MessagingException e) {
            throw new PeerUnavailable(PEER, "the mail server is unavailable" + code(e) + cause(e), null);
        }
    }

    // The server's own words are left out, here and as a cause: they quote the recipient's address.

    /** The SMTP reply code, if the server gave one. */
    private static String code(Exception e) {
        for (Throwable t = e; t != null; t = t instanceof MessagingException m ? m.getNextException() : t.getCause()) {
            if (t instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException f) {
                return " (SMTP " + f.getReturnCode() + ")";
            }
            if (t instanceof org.eclipse.angus.mail.smtp.SMTPSendFailedException f) {
                return " (SMTP " + f.getReturnCode() + ")";
            }
        }
        return "";
    }

    /** What kept the connection from being made (the type of the I/O failure), if that was it. */
    private static String cause(MessagingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException io) {
                return " (" + io.getClass().getSimpleName() + ")";
            }
        }
        return "";
    }
}
