package org.retinanet.losses.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.retinanet.api.loss.ClassificationInput;

/**
 * The sigmoid (binary per class) view of a classification input: one-hot targets over the K
 * classes (all zero for background), the validity of each anchor (label >= 0), and the signed
 * logit x_t = y x with y = +1 for the anchor's class and -1 for every other class.
 *
 * @param targets (N, M, K) 0/1 in the logits' type
 * @param valid (N, M, 1) 1 for positives and background, 0 for ignored / padding anchors (-1)
 * @param signedLogits (N, M, K) x_t
 */
record ClassificationTargets(NDArray targets, NDArray valid, NDArray signedLogits) {

    /** Builds the targets in {@code manager}; checks the shapes and the label range. */
    static ClassificationTargets of(ClassificationInput input, NDManager manager, String loss) {
        NDArray logits = input.logits();
        NDArray labels = input.labels();
        Shape ls = logits.getShape();
        if (ls.dimension() != 3) {
            throw new IllegalArgumentException(loss + ": logits must be (N, M, K), got " + ls);
        }
        if (labels == null || !labels.getShape().equals(new Shape(ls.get(0), ls.get(1)))) {
            throw new IllegalArgumentException(loss + ": labels must be (N, M) = (" + ls.get(0) + ", " + ls.get(1)
                    + ") to match the logits, got " + (labels == null ? "null" : labels.getShape()));
        }
        int k = (int) ls.get(2);
        NDArray labels32 = labels.toType(DataType.INT32, false);
        checkLabelRange(labels32, k, loss);
        NDArray classes = manager.arange(0, k, 1, DataType.INT32, logits.getDevice());
        NDArray targets = labels32.expandDims(2).eq(classes).toType(logits.getDataType(), false);
        NDArray valid = labels32.gte(0).expandDims(2).toType(logits.getDataType(), false);
        // y = 2t - 1 built in place: at 8.9M (anchor, class) pairs every temporary is 36 MB of fresh memory
        NDArray signedLogits = logits.mul(targets.mul(2).subi(1));
        return new ClassificationTargets(targets, valid, signedLogits);
    }

    /**
     * The per-element weight alpha_t * valid, (N, M, K): alpha for the anchor's class, 1 - alpha for
     * the others, 0 on ignored anchors; just {@code valid} when {@code alpha < 0}. One multiplication
     * by it equals weighting by alpha_t and then masking, bit for bit (valid is 0 or 1).
     */
    NDArray weights(double alpha) {
        if (alpha < 0) {
            return valid;
        }
        return targets.mul(2 * alpha - 1).addi(1 - alpha).muli(valid);
    }

    /** Labels outside -1..K are a bug of the assigner; one small host sync catches them. */
    private static void checkLabelRange(NDArray labels, int k, String loss) {
        if (labels.isEmpty()) {
            return;
        }
        int min = labels.min().getInt();
        int max = labels.max().getInt();
        if (min < -1 || max > k) {
            throw new IllegalArgumentException(loss + ": labels must be in -1.." + k + " (-1 ignored, " + k
                    + " background), found values from " + min + " to " + max);
        }
    }
}
