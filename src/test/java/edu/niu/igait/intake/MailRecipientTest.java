package edu.niu.igait.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import edu.niu.igait.support.DataDirSnapshot;
import edu.niu.igait.support.Hostile;
import edu.niu.igait.support.Http;
import edu.niu.igait.support.KeyServer;
import edu.niu.igait.support.RawHttp;
import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code igait.mail.recipient=token} (the prod profile's): the job's mails go to the signed-in account's
 * address, the ID token's {@code email} claim when {@code email_verified} is true, never to one typed in
 * the form. A form email that differs is {@code 403 email_mismatch}; a token without a verified email is
 * {@code 403 email_unverified}, from the headers, before any body is read.
 */
class MailRecipientTest {

    static final String VERIFIED = "Signed.In.Parent@Example.org";

    static KeyServer keys;
    static TestService service;

    @BeforeAll
    static void start() {
        keys = KeyServer.start();
        Map<String, String> p = firebase();
        p.put("igait.mail.recipient", "token");
        service = TestService.start(p);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        keys.close();
    }

    static Map<String, String> firebase() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.auth.mode", "firebase");
        p.put("igait.auth.project-id", KeyServer.PROJECT);
        p.put("igait.auth.keys-url", keys.url());
        return p;
    }

    private static String token(String email, Boolean verified) {
        var claims = KeyServer.claims(Hostile.UID);
        if (email != null) {
            claims.claim("email", email);
        }
        if (verified != null) {
            claims.claim("email_verified", verified);
        }
        return "Authorization: Bearer " + keys.token(claims.build());
    }

    private static RawHttp.Response upload(String tokenHeader, String formEmail) {
        byte[] body = Hostile.uploadBody(formEmail);
        return Hostile.exchange("127.0.0.1", service.port(), Hostile.concat(Hostile.uploadHead(body.length, tokenHeader), body), 10_000);
    }

    private static String storedEmail(RawHttp.Response accepted) throws Exception {
        String sid = Http.json(accepted.body()).path("submissionId").asText();
        JsonNode job = Http.json(Files.readString(service.dataDir().resolve("jobs").resolve(sid).resolve("job.json")));
        return job.path("email").asText();
    }

    @Test
    void theTokensVerifiedAddressIsTheJobsWhetherTheFormRepeatsItOrLeavesItOut() throws Exception {
        RawHttp.Response same = upload(token(VERIFIED, true), VERIFIED.toLowerCase());
        assertThat(same.status()).as(same.body()).isEqualTo(202);
        assertThat(storedEmail(same)).isEqualTo(VERIFIED);

        RawHttp.Response without = upload(token(VERIFIED, true), null);
        assertThat(without.status()).as(without.body()).isEqualTo(202);
        assertThat(storedEmail(without)).isEqualTo(VERIFIED);
    }

    @Test
    void aFormAddressThatIsNotTheTokensIsRefusedAndNothingIsKept() {
        DataDirSnapshot before = DataDirSnapshot.of(service.dataDir());
        RawHttp.Response other = upload(token(VERIFIED, true), "someone.else@example.org");
        assertThat(other.status()).isEqualTo(403);
        assertThat(Http.json(other.body()).path("error").asText()).isEqualTo("email_mismatch");
        assertThat(Http.json(other.body()).path("field").asText()).isEqualTo("email");
        before.awaitUnchanged(java.time.Duration.ofSeconds(5));
    }

    /** Unverified, or no address at all: refused from the headers (the body is never sent here). */
    @Test
    void aTokenWithoutAVerifiedAddressIsRefusedBeforeTheBody() {
        for (String tokenHeader : new String[] {token(VERIFIED, false), token(VERIFIED, null), token(null, null)}) {
            RawHttp.Response r = Hostile.exchange("127.0.0.1", service.port(), Hostile.uploadHead(300_000, tokenHeader), 10_000);
            assertThat(r.status()).isEqualTo(403);
            assertThat(Http.json(r.body()).path("error").asText()).isEqualTo("email_unverified");
        }
    }

    @Test
    void theTokenRecipientWithoutSignInAndAnUnknownRecipientStopStartUp() {
        Map<String, String> none = new LinkedHashMap<>(Map.of("igait.mail.recipient", "token", "igait.auth.mode", "none"));
        assertThatThrownBy(() -> TestService.start(none).close()).hasMessageContaining("igait.mail.recipient=token")
                .hasMessageContaining("igait.auth.mode=none");
        Map<String, String> unknown = firebase();
        unknown.put("igait.mail.recipient", "both");
        assertThatThrownBy(() -> TestService.start(unknown).close()).hasMessageContaining("igait.mail.recipient must be form or token");
    }
}
