package edu.niu.igait.app;

import java.util.Properties;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.logging.Replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** igait.replica.name is a short DNS label, or start-up stops on one line naming it, before anything logs or is made. */
class ReplicaNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"Igait-0", "igait_0", "-igait", "igait-", "igait.0", "igait 0", "a234567890123456789012345678901234", "ïgait"})
    void aNameThatIsNotAShortDnsLabelStopsStartUpNamingTheProperty(String name) {
        Properties overrides = new Properties();
        overrides.setProperty(Replica.PROPERTY, name);
        assertThatThrownBy(() -> IgaitMain.create(overrides)).isInstanceOf(StartupException.class)
                .hasMessage("igait.replica.name must be a short name of lower-case letters, digits and inner '-' (at most 32,"
                        + " a DNS label such as igait-0), got '" + name + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "igait-0", "a", "0", "replica-b-2", "a2345678901234567890123456789012"})
    void shortDnsLabelsAreNames(String name) {
        assertThat(Replica.isValid(name)).isTrue();
    }
}
