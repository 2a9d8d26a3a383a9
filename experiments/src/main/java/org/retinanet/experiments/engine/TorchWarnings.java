package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Keeps libtorch's "AutoNonVariableTypeMode is deprecated" warning from users. DJL's JNI copies a
 * host buffer into a tensor (NDArray.set, used whenever weights are loaded) under that deprecated
 * guard, and libtorch prints the warning once per process, straight to file descriptor 2. So the
 * first such copy is made here, at start-up, with descriptor 2 pointed at /dev/null for that moment.
 */
final class TorchWarnings {

    private static boolean done;

    private TorchWarnings() {}

    /** The C library's descriptor calls. */
    interface LibC extends Library {
        int dup(int fd);

        int dup2(int from, int to);

        int open(String path, int flags);

        int close(int fd);
    }

    static synchronized void silenceDeprecatedGuardWarning() {
        if (done) {
            return;
        }
        done = true;
        LibC c;
        try {
            c = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            return; // not a POSIX C library: the warning stays, nothing else changes
        }
        int saved = c.dup(2);
        int devnull = c.open("/dev/null", 1); // O_WRONLY
        if (saved < 0 || devnull < 0) {
            return;
        }
        System.err.flush();
        c.dup2(devnull, 2);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.zeros(new Shape(1));
            a.set(new float[] {0f});
        } finally {
            c.dup2(saved, 2);
            c.close(saved);
            c.close(devnull);
        }
    }
}
