package dev.pgmigrate.core.internal.copy;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Whether cutting a large table in ranges pays on this run's target. On PostgreSQL 15 and older, sessions loading
 * one table take turns on its relation extension lock, one page at a time (16 extends in bulk), and a table
 * loaded in ranges loses {@code COPY FREEZE}, so its pages get their hint bits set later, by its index builds and
 * ANALYZE. Ranges are still faster where the target has cores to spare for the sessions that wait. The tool can
 * count those cores only when the target runs on its own host; there, with fewer than two cores per worker (each
 * copy keeps a target session busy, and the source's session and the relay take much of another), the table is
 * better copied whole: pgbench scale 100 into a 15 target on two cores 0.92× the time of the split run, 0.98×
 * with the servers I/O-bound (four alternating rounds each).
 */
final class SplitPolicy {
    /** The first major whose sessions extend a relation by many pages at once. */
    static final int BULK_EXTENSION_FROM = 160000;

    private SplitPolicy() {
    }

    /** Whether ranges beat one session on a target of {@code targetVersionNum} with these cores and workers. */
    static boolean rangesPay(int targetVersionNum, boolean targetOnThisHost, int cores, int parallelism) {
        return targetVersionNum >= BULK_EXTENSION_FROM || !targetOnThisHost || cores >= 2 * parallelism;
    }

    /**
     * Whether {@code host} names this machine: a loopback or wildcard address, or one of its interfaces'. A name
     * that does not resolve is taken as another host (the connection has resolved it already, so this is cached).
     */
    static boolean onThisHost(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress() && !address.isAnyLocalAddress()
                        && NetworkInterface.getByInetAddress(address) == null) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }
}
