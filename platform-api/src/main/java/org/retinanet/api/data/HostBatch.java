package org.retinanet.api.data;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;
import org.retinanet.api.model.DetectionBatch;

/**
 * A batch prepared on the host by the loader threads: normalised, padded pixels in NCHW order
 * ({@code n * 3 * height * width} floats; padding is zero), and per image its geometry and targets.
 * Host-only so that loader threads never touch an NDManager; the trainer turns it into a
 * {@link DetectionBatch} inside the step's own manager.
 */
public record HostBatch(float[] pixels, int height, int width, List<ImageMeta> metas, List<BoxTargets> targets) {

    public int size() {
        return metas.size();
    }

    public DetectionBatch toDevice(NDManager manager, Device device) {
        var images = manager.create(FloatBuffer.wrap(pixels), new Shape(size(), 3, height, width)).toDevice(device, false);
        return new DetectionBatch(images, metas, targets);
    }
}
