package org.retinanet.experiments.engine;

import ai.djl.engine.Engine;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The switches of libtorch's {@code at::globalContext()} that DJL does not bind: oneDNN for
 * convolutions, and the determinism settings ({@code torch.backends.cudnn.deterministic},
 * {@code .benchmark}, {@code torch.use_deterministic_algorithms}). Called through JNA on the very
 * {@code libtorch_cpu.so} the engine loaded; the symbols are libtorch's exported C++ API.
 */
public final class TorchContext {

    private static TorchContext instance;

    private final NativeLibrary library;
    private final Pointer context;

    private TorchContext(NativeLibrary library) {
        this.library = library;
        this.context = library.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
    }

    /** The context of the loaded engine (loads it when needed). */
    public static synchronized TorchContext get() {
        if (instance == null) {
            Engine.getInstance(); // loads libtorch
            TorchWarnings.silenceDeprecatedGuardWarning();
            instance = new TorchContext(NativeLibrary.getInstance(loadedLibrary("libtorch_cpu.so")));
        }
        return instance;
    }

    /** Whether libtorch may use oneDNN (MKLDNN) kernels, convolutions among them. */
    public boolean mkldnnEnabled() {
        return getter("_ZNK2at7Context17userEnabledMkldnnEv");
    }

    public void setMkldnnEnabled(boolean enabled) {
        setter("_ZN2at7Context20setUserEnabledMkldnnEb", enabled);
    }

    public boolean deterministicCudnn() {
        return getter("_ZNK2at7Context18deterministicCuDNNEv");
    }

    public void setDeterministicCudnn(boolean on) {
        setter("_ZN2at7Context21setDeterministicCuDNNEb", on);
    }

    public boolean benchmarkCudnn() {
        return getter("_ZNK2at7Context14benchmarkCuDNNEv");
    }

    public void setBenchmarkCudnn(boolean on) {
        setter("_ZN2at7Context17setBenchmarkCuDNNEb", on);
    }

    /** {@code torch.backends.cudnn.allow_tf32}: TF32 convolutions on Ampere and newer GPUs (torch's default: on). */
    public boolean allowTf32Cudnn() {
        return getter("_ZNK2at7Context14allowTF32CuDNNEv");
    }

    public void setAllowTf32Cudnn(boolean on) {
        setter("_ZN2at7Context17setAllowTF32CuDNNEb", on);
    }

    public boolean deterministicAlgorithms() {
        return getter("_ZNK2at7Context23deterministicAlgorithmsEv");
    }

    /** {@code torch.use_deterministic_algorithms(on)}: an error, not a warning, where an op has no deterministic kernel. */
    public void setDeterministicAlgorithms(boolean on) {
        library.getFunction("_ZN2at7Context26setDeterministicAlgorithmsEbb")
                .invoke(Void.class, new Object[] {context, on, false});
    }

    private boolean getter(String symbol) {
        return (library.getFunction(symbol).invokeInt(new Object[] {context}) & 0xff) != 0;
    }

    private void setter(String symbol, boolean value) {
        Function f = library.getFunction(symbol);
        f.invoke(Void.class, new Object[] {context, value});
    }

    /** The path of a shared library this process has loaded, from /proc/self/maps. */
    private static String loadedLibrary(String name) {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/" + name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " is not loaded in this process"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/maps to find " + name, e);
        }
    }
}
