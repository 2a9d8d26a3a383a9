package org.retinanet.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What a half-precision forward needs that DJL does not give: DJL's {@code toType} runs under
 * libtorch's no-grad guard, so it cuts the autograd graph. These ops change the type and keep it.
 */
public final class HalfPrecision {

    private HalfPrecision() {}

    /** Whether {@code x} is float16 (or another non-float32 floating type). */
    public static boolean isHalf(NDArray x) {
        return x.getDataType().isFloating()
                && x.getDataType() != DataType.FLOAT32
                && x.getDataType() != DataType.FLOAT64;
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
}
