package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.retinanet.api.nn.HalfPrecision;

/** A weight's copy on a device in a compute type, owned by a given manager and nothing else. */
final class WeightCopy {

    private WeightCopy() {}

    /**
     * {@code weight} on {@code device} in {@code type}, a new array attached to {@code into}. The
     * float32 intermediate on another device, and the sub-manager DJL opens for it under the
     * weight's manager, are closed: otherwise they would live as long as the model.
     */
    static NDArray of(NDArray weight, Device device, DataType type, NDManager into) {
        NDArray moved = weight.toDevice(device, false);
        NDArray copy = HalfPrecision.cast(moved, type);
        if (copy == weight) {
            copy = weight.duplicate(); // libtorch's to() aliases when nothing changes
        }
        NDManager madeIn = copy.getManager();
        copy.attach(into);
        if (moved != weight && moved != copy) {
            moved.close();
        }
        if (madeIn != weight.getManager() && madeIn != into) {
            madeIn.close(); // the sub-manager DJL opens for another device, empty now
        }
        return copy;
    }
}
