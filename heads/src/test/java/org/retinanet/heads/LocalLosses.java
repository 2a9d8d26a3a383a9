package org.retinanet.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;

/**
 * Test-local implementations of the loss API (the real ones live in the losses plugin): sigmoid
 * focal loss as torchvision.ops.sigmoid_focal_loss, summed per image over non-ignored anchors, and
 * L1 on deltas, summed over the 4 coordinates.
 */
final class LocalLosses {

    private LocalLosses() {}

    static final class Focal implements ClassificationLoss {
        private final float alpha = 0.25f;
        private final float gamma = 2f;

        @Override
        public LossValue compute(ClassificationInput in) {
            NDArray x = in.logits();
            int k = in.numClasses();
            NDArray labels = in.labels();
            // one-hot targets; background (K) and ignored (-1) rows are all zero
            NDArray t = labels.toType(DataType.INT64, false)
                    .add(k + 1)
                    .mod(k + 1)
                    .oneHot(k + 1)
                    .get("..., :" + k)
                    .toType(DataType.FLOAT32, false);
            NDArray p = ai.djl.nn.Activation.sigmoid(x);
            NDArray ce =
                    x.maximum(0f).sub(x.mul(t)).add(x.abs().neg().exp().add(1f).log());
            NDArray pt = p.mul(t).add(p.neg().add(1f).mul(t.neg().add(1f)));
            NDArray loss = ce.mul(pt.neg().add(1f).pow(gamma));
            loss = loss.mul(t.mul(alpha).add(t.neg().add(1f).mul(1 - alpha)));
            NDArray valid = labels.gte(0).toType(DataType.FLOAT32, false).expandDims(2);
            return LossValue.of(loss.mul(valid).sum(new int[] {1, 2}));
        }
    }

    static final class L1 implements BoxLoss {
        @Override
        public NDArray compute(BoxInput in) {
            return in.predDeltas()
                    .sub(in.targetDeltas())
                    .abs()
                    .sum(new int[] {2})
                    .mul(in.weights());
        }
    }
}
