package dev.pgmigrate.core.internal.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class SplitPolicyTest {
    @Test
    void rangesLoseOnlyOnAnOlderTargetSharingTooFewCores() {
        assertThat(SplitPolicy.rangesPay(150004, true, 2, 2)).isFalse();
        assertThat(SplitPolicy.rangesPay(150004, true, 4, 4)).isFalse();
        assertThat(SplitPolicy.rangesPay(96000, true, 3, 2)).isFalse();
        // Cores to spare, a target elsewhere (cores unknown), or a target that extends in bulk: ranges.
        assertThat(SplitPolicy.rangesPay(150004, true, 4, 2)).isTrue();
        assertThat(SplitPolicy.rangesPay(150004, false, 2, 2)).isTrue();
        assertThat(SplitPolicy.rangesPay(160000, true, 2, 2)).isTrue();
        assertThat(SplitPolicy.rangesPay(170002, true, 1, 8)).isTrue();
    }

    @Test
    void thisHostIsLoopbackWildcardOrOwnInterface() throws Exception {
        assertThat(SplitPolicy.onThisHost("localhost")).isTrue();
        assertThat(SplitPolicy.onThisHost("127.0.0.1")).isTrue();
        assertThat(SplitPolicy.onThisHost("::1")).isTrue();
        assertThat(SplitPolicy.onThisHost("0.0.0.0")).isTrue();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress own : Collections.list(nic.getInetAddresses())) {
                assertThat(SplitPolicy.onThisHost(own.getHostAddress())).as(own.toString()).isTrue();
            }
        }
        // TEST-NET-1 (RFC 5737) is never an interface of this machine.
        assertThat(SplitPolicy.onThisHost("192.0.2.1")).isFalse();
    }
}
