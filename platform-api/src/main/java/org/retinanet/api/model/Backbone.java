package org.retinanet.api.model;

import ai.djl.nn.Block;
import java.util.List;
import org.retinanet.api.data.InputNormalization;

/**
 * A feature extractor. Forward: {@code NDList(images (N, 3, H, W))} to one feature map per entry
 * of {@link #outputFeatures()}, in that order.
 *
 * <p>Child blocks are named as torchvision names the modules ({@code conv1}, {@code bn1},
 * {@code layer1}, {@code 0}, ...) so that {@link TorchNames} yields checkpoint-compatible keys.
 */
public interface Backbone extends Block, CheckpointKeys {

    List<FeatureSpec> outputFeatures();

    /** How input pixels must be normalised for this backbone's weights (pytorch vs caffe style). */
    InputNormalization inputNormalization();

    /**
     * Called once after the block's parameters are initialised: loads the config's pretrained
     * checkpoint ({@code init.checkpoint}), if any, and says what it loaded and ignored.
     *
     * @throws java.io.IOException naming the file when it cannot be read
     * @throws IllegalArgumentException naming the first mismatched key and both shapes
     */
    default java.util.Optional<org.retinanet.api.statedict.LoadReport> loadPretrained(ai.djl.ndarray.NDManager manager)
            throws java.io.IOException {
        return java.util.Optional.empty();
    }
}
