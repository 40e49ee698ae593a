package edu.niu.igait.support;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class that talks to the four real peers: they start once for the class, and every test
 * begins with them running, empty and well-behaved (whatever the test before did to them).
 */
public abstract class WithPeers {

    protected static Peers peers;

    @TempDir
    protected Path tmp;

    @BeforeAll
    static void startPeers() {
        peers = Peers.start();
        peers.applyToThisJvm();
    }

    @AfterAll
    static void stopPeers() {
        if (peers != null) {
            peers.close();
            peers = null;
        }
    }

    @BeforeEach
    void resetPeers() throws Exception {
        peers.reset();
    }
}
