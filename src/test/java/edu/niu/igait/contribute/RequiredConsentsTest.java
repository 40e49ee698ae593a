package edu.niu.igait.contribute;

import org.junit.jupiter.api.Test;

import edu.niu.igait.config.StartupException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** igait.contribute.required-consents, read at start-up: consent fields only, in any case and spacing; another name stops it in one line. */
class RequiredConsentsTest {

    @Test
    void theConsentFieldsAreTakenInAnyCaseAndSpacing() {
        assertThat(new ContributionForm(null, "", null).required()).isEmpty();
        assertThat(new ContributionForm(null, " consent_study, CONSENT_talks ,consent_study", null).required())
                .containsExactlyInAnyOrder("consent_study", "consent_talks");
    }

    @Test
    void anotherNameStopsStartUpNamingThePropertyAndTheFields() {
        assertThatThrownBy(() -> new ContributionForm(null, "consent_study,consent_photos", null))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("igait.contribute.required-consents names 'consent_photos'")
                .hasMessageContaining("consent_publications")
                .hasMessageNotContaining("\n");
    }
}
