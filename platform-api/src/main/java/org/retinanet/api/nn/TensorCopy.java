package org.retinanet.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Copies values into an existing array, in its own storage. DJL's {@code NDArray.set(Buffer)}
 * instead re-points a PyTorch tensor at a Java direct buffer, whose address is only 16-byte
 * aligned and differs from run to run; the BLAS and oneDNN kernels may then take other code paths
 * than on libtorch's 64-byte aligned memory, so weights restored that way need not compute
 * bit-identically to the run that saved them (MKL's reproducibility conditions ask for aligned
 * arrays). A weight, a running statistic or a momentum buffer is therefore always filled here.
 */
public final class TensorCopy {

    private TensorCopy() {}

    /**
     * Copies {@code source} (same shape; any device or data type, converted as {@code to} does)
     * into {@code destination}'s own memory, bit for bit when the types match.
     */
    public static void into(NDArray destination, NDArray source) {
        if (!destination.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException(
                    "cannot copy an array of shape " + source.getShape() + " into one of " + destination.getShape());
        }
        try (NDManager scratch = source.getManager().newSubManager()) {
            NDArray value = source.toDevice(destination.getDevice(), false);
            if (value != source) {
                value.attach(scratch);
            }
            NDArray typed = value.toType(destination.getDataType(), false);
            if (typed != value && typed != source) {
                typed.attach(scratch);
            }
            if (destination.getShape().dimension() == 0) {
                destination.set(typed.toByteBuffer()); // a scalar: no kernel reads it as an array
            } else {
                destination.set(new NDIndex(":"), typed); // index_put_: a copy_ into the same storage
            }
        }
    }
}
