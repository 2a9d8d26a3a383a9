package org.retinanet.datasets;

/** Deterministic seeds derived from (seed, epoch, index) with SplitMix64's finaliser. */
public final class Seeds {

    private Seeds() {}

    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = finalise(h + p * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
        }
        return h;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
