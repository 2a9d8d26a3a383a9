package org.retinanet.api.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What a half-precision forward needs that DJL does not give. DJL's {@code toType} runs under
 * libtorch's no-grad guard, so it cuts the autograd graph: {@link #toFloat32} changes the type and
 * keeps it. DJL 0.36's PyTorch JNI maps no bfloat16 type, and asking it for one aborts the JVM:
 * {@link #cast} makes bfloat16 copies another way, and {@link #dataType} names them.
 *
 * <p>A bfloat16 array must not reach DJL calls that hand its type back to libtorch:
 * {@code toDevice} to another device, {@code duplicate}, {@code zerosLike}, {@code onesLike},
 * {@code softmax}, {@code manager.create(..., x.getDataType())}. Cast it to float32 first.
 */
public final class HalfPrecision {

    private static final String BFLOAT16_SCRIPT = "bfloat16-cast.pt";

    private HalfPrecision() {}

    /**
     * A copy of {@code x} in {@code type}, cut from autograd as DJL's {@code toType} is; {@code x}
     * itself when it already is of that type. bfloat16 copies come from a one-line TorchScript
     * module, {@code x.to(torch.bfloat16)} ({@code bfloat16-cast.pt}, written by
     * {@code scripts/make-bfloat16-cast.py}): libtorch makes the type that DJL's JNI cannot name.
     */
    public static NDArray cast(NDArray x, DataType type) {
        if (dataType(x) == type) {
            return x;
        }
        if (type != DataType.BFLOAT16) {
            return x.toType(type, false);
        }
        // a fresh handle without a name: DJL routes named inputs to other methods of a script
        NDArray detached = x.stopGradient();
        detached.setName(null);
        try {
            // training mode: an inference-mode result could never take a gradient
            return IValueUtils.forward(Bfloat16Script.MODULE, new NDList(detached), true)
                    .singletonOrThrow();
        } finally {
            detached.close();
        }
    }

    /**
     * {@code x}'s type, with bfloat16 named: DJL 0.36's PyTorch engine reports libtorch's bfloat16
     * as {@code UNKNOWN} (its JNI maps no such type), and bfloat16 is the only type outside DJL's
     * table that the platform makes.
     */
    public static DataType dataType(NDArray x) {
        DataType type = x.getDataType();
        return type == DataType.UNKNOWN ? DataType.BFLOAT16 : type;
    }

    /** Whether {@code x} is float16 or bfloat16. */
    public static boolean isHalf(NDArray x) {
        DataType type = dataType(x);
        return type == DataType.FLOAT16 || type == DataType.BFLOAT16;
    }

    /** Each array of {@code xs} as float32 ({@link #toFloat32(NDArray)}); float32 lists come back as they are. */
    public static NDList toFloat32(NDList xs) {
        if (xs.stream().noneMatch(HalfPrecision::isHalf)) {
            return xs;
        }
        NDList out = new NDList(xs.size());
        xs.forEach(x -> out.add(toFloat32(x)));
        return out;
    }

    /**
     * {@code x} as float32, differentiably: a product with a one-element float32 one, which
     * torch's type promotion makes float32 and whose backward casts the gradient back to x's type.
     * Exact (x * 1 == x, signed zeros included); float32 input comes back as it is.
     */
    public static NDArray toFloat32(NDArray x) {
        if (!isHalf(x)) {
            return x;
        }
        NDManager manager = x.getManager();
        return x.mul(manager.ones(new Shape(1), DataType.FLOAT32, x.getDevice()));
    }

    /** Loaded on first use and kept for the JVM's life: a module without weights, on no device. */
    private static final class Bfloat16Script {
        static final PtSymbolBlock MODULE = load();

        private static PtSymbolBlock load() {
            try (InputStream in = HalfPrecision.class.getResourceAsStream(BFLOAT16_SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(BFLOAT16_SCRIPT + " is missing from platform-api's jar");
                }
                NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                return JniUtils.loadModule((PtNDManager) manager, in, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + BFLOAT16_SCRIPT + " from platform-api's jar", e);
            }
        }
    }
}
