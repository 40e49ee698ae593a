package edu.niu.igait.intake;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import edu.niu.igait.http.RequestRejected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The email rule: one plain address a mail server takes as one recipient, and nothing else. */
class EmailRuleTest {

    @ParameterizedTest
    @ValueSource(strings = {"parent@example.org", "first.last+igait@mail.example.co.uk", "o'brien@example.org",
        "a_b-c@sub-domain.example.org", "X@EXAMPLE.ORG", "  padded@example.org  "})
    void plainAddressesPass(String address) {
        assertThat(FormFields.email(address)).isEqualTo(address.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"g:victim@evil.example,victim2@evil.example;", "a@example.org,b@example.org",
        "\"a\r\nb\"@example.org", "\"quoted\"@example.org", "Parent <p@example.org>", "a@example", "a@-example.org",
        "a@example-.org", ".a@example.org", "a.@example.org", "a..b@example.org", "a@example..org", "a b@example.org",
        "ä@example.org", "a@exämple.org", "a@exa\nmple.org", "a\t@example.org", "@example.org", "a@", "a"})
    void anythingElseIsRefusedNamingEmail(String address) {
        assertThatThrownBy(() -> FormFields.email(address)).isInstanceOf(RequestRejected.class)
                .satisfies(e -> assertThat(((RequestRejected) e).field()).isEqualTo("email"));
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 300})
    void tooLongIsRefused(int localLength) {
        String address = "a".repeat(localLength) + "@example.org";
        assertThatThrownBy(() -> FormFields.email(address)).isInstanceOf(RequestRejected.class);
    }
}
