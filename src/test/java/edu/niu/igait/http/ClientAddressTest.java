package edu.niu.igait.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The group every per-address limit counts a client in: an IPv4 address alone, an IPv6 address by its /64. */
class ClientAddressTest {

    @Test
    void anIpv6AddressIsItsSixtyFourAndAnIpv4AddressItself() {
        assertThat(ClientAddress.group("2001:db8:1:2::a")).isEqualTo("2001:db8:1:2::/64")
                .isEqualTo(ClientAddress.group("2001:db8:1:2:ffff:ffff:ffff:fffe"))
                .isEqualTo(ClientAddress.group("[2001:DB8:1:2:0:0:0:1]"))
                .isEqualTo(ClientAddress.group("2001:db8:1:2::1%eth0"));
        assertThat(ClientAddress.group("2001:db8:1:3::a")).isEqualTo("2001:db8:1:3::/64");
        assertThat(ClientAddress.group("::1")).isEqualTo(ClientAddress.group("::2"));
        assertThat(ClientAddress.group("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(ClientAddress.group("192.0.2.8")).isNotEqualTo(ClientAddress.group("192.0.2.7"));
        assertThat(ClientAddress.group("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(ClientAddress.group("unknown")).isEqualTo("unknown");
    }
}
