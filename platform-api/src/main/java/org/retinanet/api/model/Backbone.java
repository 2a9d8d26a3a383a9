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
public interface Backbone extends Block {

    List<FeatureSpec> outputFeatures();

    /** How input pixels must be normalised for this backbone's weights (pytorch vs caffe style). */
    InputNormalization inputNormalization();
}
