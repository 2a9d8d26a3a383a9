package org.retinanet.experiments.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.config.BoxLossConfig;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.config.HeadConfig;
import org.retinanet.api.config.NeckConfig;
import org.retinanet.api.loss.LossNormalization;

/**
 * The detector: backbone, neck and head plugins, the two loss plugins and how losses are
 * normalised. {@code numClasses} defaults to the training dataset's class count.
 *
 * @param init a whole-detector checkpoint (torchvision or mmdetection keys) loaded after init
 * @param inputSize the square size used to initialise parameters (any multiple of the largest stride)
 */
public record ModelConfig(
        Integer numClasses,
        BackboneConfig backbone,
        NeckConfig neck,
        HeadConfig head,
        ClassificationLossConfig lossCls,
        BoxLossConfig lossBox,
        LossNormalization normalization,
        String init,
        Integer inputSize) {

    public ModelConfig(
            @JsonProperty("numClasses") Integer numClasses,
            @JsonProperty("backbone") BackboneConfig backbone,
            @JsonProperty("neck") NeckConfig neck,
            @JsonProperty("head") HeadConfig head,
            @JsonProperty("lossCls") ClassificationLossConfig lossCls,
            @JsonProperty("lossBox") BoxLossConfig lossBox,
            @JsonProperty("normalization") LossNormalization normalization,
            @JsonProperty("init") String init,
            @JsonProperty("inputSize") Integer inputSize) {
        if (numClasses != null && numClasses <= 0) {
            throw new IllegalArgumentException("model.numClasses must be positive, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.backbone = backbone;
        this.neck = neck;
        this.head = head;
        this.lossCls = lossCls;
        this.lossBox = lossBox;
        this.normalization = normalization == null ? LossNormalization.batchPositives() : normalization;
        this.init = init;
        this.inputSize = inputSize == null ? 256 : inputSize;
    }
}
