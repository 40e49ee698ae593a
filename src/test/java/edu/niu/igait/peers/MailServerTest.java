package edu.niu.igait.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import edu.niu.igait.dev.MailServer;
import edu.niu.igait.dev.Ports;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

class MailServerTest {

    @TempDir
    Path dir;

    MailServer mail;

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
    }

    @Test
    void acceptsAnyUserAndPasswordOverPlainSmtpAndKeepsOneCopyPerMessage() throws Exception {
        mail = new MailServer(0).start();

        send(true, "igait@niu.edu", "any-password", "Welcome to iGait", "Your job 0 is queued.",
                "parent@example.com", "operator@example.com");

        List<MailServer.ReceivedMail> received = mail.received();
        assertThat(received).hasSize(1);
        MailServer.ReceivedMail first = received.get(0);
        assertThat(first.authenticatedUser()).isEqualTo("igait@niu.edu");
        assertThat(first.envelopeFrom()).isEqualTo("igait@niu.edu");
        assertThat(first.envelopeTo()).containsExactly("parent@example.com", "operator@example.com");
        assertThat(first.message().getSubject()).isEqualTo("Welcome to iGait");
        assertThat(first.message().getContent().toString()).contains("Your job 0 is queued.");

        send(false, null, null, "No auth", "without AUTH", "parent@example.com");
        assertThat(mail.awaitMessages(2, Duration.ofSeconds(5))).extracting(MimeMessage::getSubject)
                .containsExactly("Welcome to iGait", "No auth");
        assertThat(mail.received().get(1).authenticatedUser()).isNull();
    }

    @Test
    void savesEmlFilesAndRestartsOnTheSamePort() throws Exception {
        Path out = dir.resolve("mail");
        mail = new MailServer(0).saveTo(out).start();
        int port = mail.port();
        send(true, "u", "p", "one", "first", "a@example.com");
        send(true, "u", "p", "two", "second", "b@example.com");
        assertThat(out.resolve("1.eml")).exists();
        assertThat(Files.readString(out.resolve("2.eml"))).contains("Subject: two", "second");
        assertThat(mail.received().get(1).savedAs()).isEqualTo(out.resolve("2.eml"));

        mail.stop();
        assertThat(Ports.accepting(port)).isFalse();
        assertThatThrownBy(() -> send(true, "u", "p", "lost", "lost", "c@example.com"))
                .isInstanceOf(MessagingException.class);
        mail.start();
        assertThat(mail.port()).isEqualTo(port);
        send(true, "u", "p", "three", "third", "c@example.com");
        assertThat(mail.messages()).extracting(MimeMessage::getSubject).containsExactly("one", "two", "three");
        assertThat(out.resolve("3.eml")).exists();

        // a new server on the same folder numbers on from the files already there
        mail.stop();
        mail = new MailServer(port).saveTo(out).start();
        send(false, null, null, "four", "fourth", "d@example.com");
        assertThat(Files.readString(out.resolve("4.eml"))).contains("Subject: four");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("1.eml", "2.eml", "3.eml", "4.eml");
        }
    }

    @Test
    void awaitMessagesTimesOutWithTheCount() {
        mail = new MailServer(0).start();
        assertThatThrownBy(() -> mail.awaitMessages(1, Duration.ofMillis(200)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("got 0");
    }

    private void send(boolean auth, String user, String password, String subject, String text, String... to)
            throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", mail.host());
        props.put("mail.smtp.port", String.valueOf(mail.port()));
        props.put("mail.smtp.auth", String.valueOf(auth));
        props.put("mail.smtp.connectiontimeout", "2000");
        props.put("mail.smtp.timeout", "5000");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(user == null ? "igait@niu.edu" : user.contains("@") ? user : user + "@niu.edu"));
        for (String recipient : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject(subject);
        message.setText(text, "UTF-8");
        if (auth) {
            Transport.send(message, user, password);
        } else {
            Transport.send(message);
        }
    }
}
