package org.retinanet.backbones;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.retinanet.api.data.InputNormalization;

/**
 * Where a bottleneck puts its stride, and how its weights expect input pixels (mmdetection's
 * {@code style}). BasicBlock networks have no style variant in their blocks.
 */
public enum Style {
    /** Stride on the 3x3 conv2 (torchvision, "ResNet v1.5"); RGB input, ImageNet mean/std. */
    @JsonProperty("pytorch")
    PYTORCH,
    /** Stride on the 1x1 conv1 (MSRA/Detectron weights); BGR input, mean only. */
    @JsonProperty("caffe")
    CAFFE;

    public InputNormalization inputNormalization() {
        return this == PYTORCH ? InputNormalization.pytorch() : InputNormalization.caffe();
    }
}
