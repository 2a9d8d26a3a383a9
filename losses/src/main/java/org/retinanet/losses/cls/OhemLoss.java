package org.retinanet.losses.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.Scope;

/**
 * OHEM for a dense detector (paper Table 1d; definition in {@link OhemLossConfig}). The loss is
 * the sigmoid CE (summed over the K classes) of the kept anchors; {@link LossValue#ownNormalizer()}
 * is the number of anchors kept per image. Selection runs on the host, without gradient.
 */
public final class OhemLoss implements ClassificationLoss {

    private final OhemLossConfig config;
    private final OhemSelector selector;

    public OhemLoss(OhemLossConfig config) {
        this.config = config;
        this.selector = new OhemSelector(
                config.batchSize(), config.nmsIou(), config.positiveFraction(), config.maxNegativesPerPositive());
    }

    @Override
    public boolean needsBoxInputs() {
        return config.includeBoxLoss() || config.nmsEnabled();
    }

    @Override
    public LossValue compute(ClassificationInput input) {
        NDArray logits = input.logits();
        try (Scope scope = Scope.of(logits, input.labels(), input.boxLoss(), input.predictedBoxes())) {
            ClassificationTargets t = ClassificationTargets.of(input, scope.manager(), "ohem");
            Shape anchorShape = input.labels().getShape();
            int n = (int) anchorShape.get(0);
            int m = (int) anchorShape.get(1);
            NDArray anchorLoss = t.signedLogits()
                    .neg()
                    .getNDArrayInternal()
                    .softPlus()
                    .sum(new int[] {2})
                    .mul(t.valid().squeeze(2));

            NDArray score = anchorLoss.stopGradient();
            if (config.includeBoxLoss()) {
                score = score.add(required(input.boxLoss(), anchorShape, "boxLoss")
                        .stopGradient()
                        .toType(score.getDataType(), false));
            }
            float[] boxes = null;
            if (config.nmsEnabled()) {
                boxes = required(input.predictedBoxes(), new Shape(n, m, 4), "predictedBoxes")
                        .stopGradient()
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
            }
            float[] scores = score.toType(DataType.FLOAT32, false).toFloatArray();
            int[] labels = input.labels().toType(DataType.INT32, false).toIntArray();

            float[] keep = new float[n * m];
            for (int i = 0; i < n; i++) {
                for (int anchor : selector.select(scores, labels, input.numClasses(), boxes, i * m, m)) {
                    keep[i * m + anchor] = 1f;
                }
            }
            NDArray keepMask = scope.manager()
                    .create(keep, anchorShape)
                    .toDevice(logits.getDevice(), false)
                    .toType(logits.getDataType(), false);
            NDArray perImage = anchorLoss.mul(keepMask).sum(new int[] {1}).mul(config.lossWeight());
            NDArray kept = keepMask.sum(new int[] {1});
            return new LossValue(scope.keep(perImage), scope.keep(kept));
        }
    }

    private static NDArray required(NDArray array, Shape shape, String name) {
        if (array == null) {
            throw new IllegalArgumentException("ohem: ClassificationInput." + name
                    + " is null, but this OHEM config needs it (needsBoxInputs() is true)");
        }
        if (!array.getShape().equals(shape)) {
            throw new IllegalArgumentException(
                    "ohem: ClassificationInput." + name + " must be " + shape + ", got " + array.getShape());
        }
        return array;
    }

    /** The kept anchors of one image for the given per-anchor losses; exposed for tests and tools. */
    int[] select(float[] scores, int[] labels, int numClasses, float[] boxes) {
        return selector.select(scores, labels, numClasses, boxes, 0, labels.length);
    }
}
