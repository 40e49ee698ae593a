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
            throw new PeerRefused(PEER, "the mail server refused the login (check igait.mail.username and IGAIT_MAIL_PASSWORD)", e);
        } catch (SendFailedException e) {
            if (e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0) {
                throw new PeerRefused(PEER, "the mail server refused the recipient address", e);
            }
            throw new PeerUnavailable(PEER, "the mail server did not take the mail: " + firstLine(e.getMessage()), e);
        } catch (MessagingException e) {
            throw new PeerUnavailable(PEER, "the mail server unavailable: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }
}
