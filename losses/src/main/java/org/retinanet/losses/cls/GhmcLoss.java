package org.retinanet.losses.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.GradientHistogram;
import org.retinanet.losses.Scope;

/**
 * GHM-C as mmdetection's GHMC computes it: per (anchor, class) the gradient norm
 * g = |sigmoid(x) - t| (no gradient), binned into {@code bins} equal bins; a valid element of bin
 * i gets the weight tot / acc_i / n (tot = number of valid elements, at least 1; acc_i the EMA of
 * the bin count; n the number of non-empty bins), and the loss is sum(BCE * w) / tot.
 *
 * <p>Returned as per-image sums of BCE * w with {@link LossValue#ownNormalizer()} = the number of
 * valid elements of each image (valid anchors times K), so that a head that divides the batch sum
 * by the summed own normaliser gets mmdetection's value exactly. The histogram and its moving
 * average cover the whole batch (all images and all pyramid levels at once; mmdetection calls the
 * loss once per level, so its EMA advances five times per iteration).
 */
public final class GhmcLoss implements ClassificationLoss {

    private final GradientHistogram histogram;
    private final double lossWeight;

    public GhmcLoss(int bins, double momentum, double lossWeight) {
        this.histogram = GradientHistogram.forClassification(bins, momentum);
        this.lossWeight = lossWeight;
    }

    @Override
    public LossValue compute(ClassificationInput input) {
        try (Scope scope = Scope.of(input.logits(), input.labels())) {
            ClassificationTargets t = ClassificationTargets.of(input, scope.manager(), "ghm_c");
            NDArray logits = input.logits();
            NDArray g = logits.stopGradient()
                    .getNDArrayInternal()
                    .sigmoid()
                    .sub(t.targets())
                    .abs();
            NDArray validElements = t.valid().broadcast(logits.getShape());
            // counted in int64: a batch can hold more than 2^24 elements
            NDArray perImageCount = input.labels()
                    .gte(0)
                    .toType(DataType.INT64, false)
                    .sum(new int[] {1})
                    .mul(input.numClasses());
            double tot = Math.max(perImageCount.sum().getLong(), 1L);
            NDArray weights = histogram.weights(g, validElements.gt(0), tot, scope.manager());
            NDArray bce = t.signedLogits().neg().getNDArrayInternal().softPlus();
            NDArray perImage = bce.mul(weights).sum(new int[] {1, 2}).mul(lossWeight);
            return new LossValue(scope.keep(perImage), scope.keep(perImageCount.toType(logits.getDataType(), false)));
        }
    }

    /** The bin bookkeeping (for tests and for restoring mmdetection's acc_sum buffer). */
    public GradientHistogram histogram() {
        return histogram;
    }
}
