package edu.niu.igait.dev;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The free ports a JVM hands out: below the ephemeral range, and within its own slice when it has one. */
class PortsTest {

    private final String before = System.getProperty(Ports.SLICE_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Ports.SLICE_PROPERTY);
        } else {
            System.setProperty(Ports.SLICE_PROPERTY, before);
        }
    }

    @Test
    void eachSliceHandsOutPortsOfItsOwnPartOfTheRange() {
        int width = (Ports.ephemeralStart() - Ports.FIRST_PORT) / Ports.SLICES;
        for (int slice = 1; slice <= 2; slice++) {
            System.setProperty(Ports.SLICE_PROPERTY, Integer.toString(slice));
            int low = Ports.FIRST_PORT + (slice - 1) * width;
            for (int i = 0; i < 20; i++) {
                assertThat(Ports.freePort()).isBetween(low, low + width - 1);
            }
        }
    }

    @Test
    void withoutASliceTheWholeRangeBelowTheEphemeralPortsIsUsed() {
        System.clearProperty(Ports.SLICE_PROPERTY);
        for (int i = 0; i < 20; i++) {
            assertThat(Ports.freePort()).isBetween(Ports.FIRST_PORT, Ports.ephemeralStart() - 1);
        }
    }
}
