package edu.niu.igait.failure;

import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What reaches a log line of a failure: the innermost cause, one line, without the addresses a peer quotes. */
class ErrorsTest {

    @Test
    void theSummaryIsTheInnermostCauseOnOneLineWithoutMailAddresses() {
        Exception smtp = new MessagingException("550 5.1.1 <parent.name+x@example.org>: Recipient address rejected:\n user unknown");
        RuntimeException wrapped = new RuntimeException("sending failed", new IllegalStateException("outer", smtp));
        String summary = Errors.summary(wrapped);
        assertThat(summary).startsWith("MessagingException: 550 5.1.1 <<address>>: Recipient address rejected: user unknown")
                .doesNotContain("example.org").doesNotContain("\n");
    }

    @Test
    void aRefusalsReasonAndPeerAreFoundAnywhereInTheChain() {
        PeerRefused refused = new PeerRefused("S3", "S3 refused the request (HTTP 403, AccessDenied)", null);
        RuntimeException wrapped = new RuntimeException("route failed", refused);
        assertThat(Errors.permanentReason(wrapped)).contains("S3 refused the request (HTTP 403, AccessDenied)");
        assertThat(Errors.peer(wrapped)).contains("S3");
        assertThat(Errors.permanentReason(new PeerUnavailable("mail", "down", null))).isEmpty();
        assertThat(Errors.peer(new IllegalStateException("x"))).isEmpty();
    }
}
