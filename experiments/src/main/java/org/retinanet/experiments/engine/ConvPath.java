package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which convolutions this process uses, decided by evidence at start-up: libtorch's oneDNN kernels
 * at whatever instruction set they pick (or {@code ONEDNN_MAX_CPU_ISA} caps) when they compute
 * correctly here, libtorch's native kernels when oneDNN is wrong on this CPU, and a clear stop when
 * both are wrong. oneDNN's kernels are wrong on some CPUs and not others, so nothing is assumed.
 */
public final class ConvPath {

    public static final String ONEDNN = "onednn";
    public static final String NATIVE = "native";

    /** The path in use, why, and the self-check that decided it. */
    public record Choice(String path, String reason, ConvSelfCheck.Result check) {}

    /** No convolution path computes correctly on this CPU: the platform refuses to train on wrong numbers. */
    public static final class UnusableEngineException extends RuntimeException {
        public UnusableEngineException(String message) {
            super(message);
        }
    }

    private static Choice chosen;
    private static final Map<DataType, ConvSelfCheck.Result> HALF_CHECKS = new EnumMap<>(DataType.class);

    private ConvPath() {}

    /** Decides once per process; later calls return the same choice. */
    public static synchronized Choice ensureCorrect() {
        if (chosen == null) {
            chosen = choose(() -> ConvSelfCheck.run(Device.cpu()), TorchContext.get());
            if (chosen.path().equals(NATIVE)) {
                System.err.println("retinanet: warning: " + chosen.reason());
            }
        }
        return chosen;
    }

    /** Checks the host's convolutions when {@code device} is the host; GPUs are checked by {@code doctor}. */
    public static Choice ensureCorrectFor(Device device) {
        TorchContext.get(); // the engine, loaded and quiet
        return Device.Type.CPU.equals(device.getDeviceType()) ? ensureCorrect() : null;
    }

    /**
     * The host's convolutions checked in {@code compute} as well, once per process and type, when a
     * command computes in a half type on the host: those are other kernels than float32's. Wrong
     * half-precision convolutions stop the command with one line; float32 is the way on.
     */
    public static ConvSelfCheck.Result ensureCorrectFor(Device device, DataType compute) {
        ensureCorrectFor(device);
        if (!Device.Type.CPU.equals(device.getDeviceType())
                || (compute != DataType.FLOAT16 && compute != DataType.BFLOAT16)) {
            return null;
        }
        synchronized (ConvPath.class) {
            return HALF_CHECKS.computeIfAbsent(
                    compute, type -> requireCorrect(ConvSelfCheck.run(Device.cpu(), type), isaCap()));
        }
    }

    /** The half-precision check this process made for {@code type}, or null. */
    public static synchronized ConvSelfCheck.Result halfCheck(DataType type) {
        return HALF_CHECKS.get(type);
    }

    /** {@code check} when it passed; otherwise the one-line refusal. */
    static ConvSelfCheck.Result requireCorrect(ConvSelfCheck.Result check, String isa) {
        if (!check.ok()) {
            String type = check.type() == DataType.BFLOAT16 ? "bf16" : "fp16";
            throw new UnusableEngineException(type + " convolutions are wrong on this CPU (" + pathSoFar() + ", " + isa
                    + "; " + check.summary() + "); not training on wrong numbers. Compute in fp32 here"
                    + " (--set train.precisionOnCpu=fp32, or --precision fp32)");
        }
        return check;
    }

    private static String pathSoFar() {
        Choice c = current();
        return c == null ? "float32 path not chosen yet" : c.path() + " path";
    }

    /** The choice made so far, or null when no command needed convolutions yet. */
    public static synchronized Choice current() {
        return chosen;
    }

    static Choice choose(Supplier<ConvSelfCheck.Result> check, TorchContext context) {
        String isa = isaCap();
        if (context.mkldnnEnabled()) {
            ConvSelfCheck.Result onednn = check.get();
            if (onednn.ok()) {
                return new Choice(
                        ONEDNN, "oneDNN convolutions (" + isa + ") match float64 here: " + onednn.summary(), onednn);
            }
            context.setMkldnnEnabled(false);
            ConvSelfCheck.Result nativeCheck = check.get();
            if (nativeCheck.ok()) {
                return new Choice(
                        NATIVE,
                        "oneDNN convolutions (" + isa + ") are wrong on this CPU (" + onednn.summary()
                                + "); using libtorch's native convolutions, which are correct but slower."
                                + " `retinanet doctor --probe` shows which ONEDNN_MAX_CPU_ISA is correct and faster here",
                        nativeCheck);
            }
            throw new UnusableEngineException("convolutions are wrong on this CPU with oneDNN (" + isa + "; "
                    + onednn.summary() + ") and with libtorch's native kernels (" + nativeCheck.summary()
                    + "); not training on wrong numbers. `retinanet doctor --probe` tests every instruction-set cap");
        }
        ConvSelfCheck.Result nativeCheck = check.get();
        if (nativeCheck.ok()) {
            return new Choice(
                    NATIVE,
                    "oneDNN is switched off; libtorch's native convolutions match float64: " + nativeCheck.summary(),
                    nativeCheck);
        }
        throw new UnusableEngineException(
                "convolutions are wrong on this CPU with libtorch's native kernels (" + nativeCheck.summary() + ")");
    }

    /** The instruction-set cap oneDNN runs under, as the environment sets it. */
    public static String isaCap() {
        String cap = System.getenv("ONEDNN_MAX_CPU_ISA");
        return cap == null || cap.isBlank() ? "no ISA cap" : "ONEDNN_MAX_CPU_ISA=" + cap;
    }
}
