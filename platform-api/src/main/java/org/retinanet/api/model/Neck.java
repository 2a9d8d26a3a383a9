package org.retinanet.api.model;

import ai.djl.nn.Block;
import java.util.List;

/** Turns backbone features into the pyramid the head runs on. Forward: NDList in, NDList out. */
public interface Neck extends Block, CheckpointKeys {

    List<FeatureSpec> outputFeatures();
}
