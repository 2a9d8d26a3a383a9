package org.retinanet.experiments.train;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * Turns SIGTERM (preemption, {@code scancel}, {@code kill}), SIGUSR1 (Slurm's warning before the
 * time limit) and SIGINT (Ctrl-C) into a request that the training loop honours at the next
 * iteration boundary: it writes a checkpoint and exits with {@link #EXIT_CODE}. A second signal
 * more than a second after the first stops the process at once; one within that second is the
 * same request arriving twice (a terminal's Ctrl-C reaches a grid and its cells, and the grid
 * forwards it as well).
 */
public final class StopSignal implements StopRequest {

    /**
     * Exit code of a run that stopped on a signal after writing its checkpoint: sysexits'
     * EX_TEMPFAIL, "try again later". {@code train --resume} continues it exactly.
     */
    public static final int EXIT_CODE = 75;

    private static final long SAME_REQUEST_NANOS = 1_000_000_000L;

    private final AtomicReference<String> reason = new AtomicReference<>();
    private final AtomicLong firstAt = new AtomicLong();

    private StopSignal() {}

    /** Installs the handlers for this process (once per command). */
    public static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"TERM", "INT", "USR1"}) {
            try {
                Signal.handle(new Signal(name), s -> stop.received("SIG" + s.getName(), s.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal here (for example with -Xrs): its default action stays
            }
        }
        return stop;
    }

    private void received(String signal, int number) {
        long now = System.nanoTime();
        if (reason.compareAndSet(null, signal)) {
            firstAt.set(now);
            System.err.println("retinanet: " + signal + " received: stopping after this iteration with a checkpoint"
                    + " (send it again to stop at once)");
        } else if (now - firstAt.get() > SAME_REQUEST_NANOS) {
            System.err.println("retinanet: " + signal + " received again: stopping now; --resume continues from the"
                    + " last checkpoint");
            Runtime.getRuntime().halt(128 + number);
        }
    }

    @Override
    public String reason() {
        return reason.get();
    }
}
