package org.retinanet.api.data;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * Splits the batch into {@code parts} consecutive shards of near-equal size (the first shards
     * take the remainder), or fewer when there are fewer images. Shards keep the batch's padded
     * size, as data-parallel training splits one collated batch.
     */
    public List<HostBatch> split(int parts) {
        if (parts <= 0) {
            throw new IllegalArgumentException("parts must be positive, got " + parts);
        }
        if (parts == 1) {
            return List.of(this); // one device: no copy of the pixels
        }
        int n = size();
        int shards = Math.min(parts, n);
        int imageFloats = 3 * height * width;
        List<HostBatch> out = new ArrayList<>(shards);
        int from = 0;
        for (int s = 0; s < shards; s++) {
            int to = from + n / shards + (s < n % shards ? 1 : 0);
            out.add(new HostBatch(
                    Arrays.copyOfRange(pixels, from * imageFloats, to * imageFloats),
                    height,
                    width,
                    metas.subList(from, to),
                    targets.subList(from, to)));
            from = to;
        }
        return out;
    }

    public DetectionBatch toDevice(NDManager manager, Device device) {
        NDArray staged = manager.create(FloatBuffer.wrap(pixels), new Shape(size(), 3, height, width));
        // the engine's own (64-byte aligned) memory, never the Java buffer DJL stages arrays in:
        // kernels must see the same layout in every process for resumed runs to stay exact
        NDArray images =
                Device.Type.CPU.equals(device.getDeviceType()) ? staged.duplicate() : staged.toDevice(device, false);
        if (images != staged) {
            staged.close();
        }
        return new DetectionBatch(images, metas, targets);
    }
}
