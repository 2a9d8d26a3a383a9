package org.retinanet.losses.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.losses.GradientHistogram;
import org.retinanet.losses.Scope;

/**
 * GHM-R as mmdetection's GHMR computes it: on the deltas d, the authentic smooth L1
 * ASL1 = sqrt(d^2 + mu^2) - mu and the gradient norm g = |d| / sqrt(d^2 + mu^2), binned into
 * {@code bins} bins (last edge 1e3) over the coordinates of the positive anchors; a member of bin i
 * is weighted 1 / (acc_i n) (acc_i the EMA of the bin count, n the non-empty bins).
 *
 * <p>mmdetection returns sum(ASL1 * w) with w = tot / (acc_i n), divided by tot; tot cancels, so
 * its loss is sum(ASL1 / (acc_i n)). The head divides this loss's per-anchor output by its own
 * normaliser; the weights are therefore scaled by mmdetection's avg_factor, the sum over images
 * of max(#positives, 1), which makes the default {@code batch_positives} normalisation give
 * mmdetection's value exactly. The histogram covers the whole batch and all levels at once.
 */
public final class GhmrLoss implements BoxLoss {

    private final double mu;
    private final GradientHistogram histogram;
    private final double lossWeight;

    public GhmrLoss(double mu, int bins, double momentum, double lossWeight) {
        this.mu = mu;
        this.histogram = GradientHistogram.forRegression(bins, momentum);
        this.lossWeight = lossWeight;
    }

    @Override
    public NDArray compute(BoxInput input) {
        BoxInputs.check("ghm_r", input, false);
        try (Scope scope = Scope.of(input.predDeltas(), input.targetDeltas(), input.weights())) {
            NDArray diff = input.predDeltas().sub(input.targetDeltas());
            NDArray root = diff.square().add(mu * mu).sqrt();
            NDArray asl1 = root.sub(mu);
            NDArray g = diff.stopGradient().abs().div(root.stopGradient());
            NDArray weights = input.weights().toType(diff.getDataType(), false);
            NDArray valid = weights.expandDims(2).broadcast(diff.getShape()).gt(0);
            // mmdetection's avg_factor: sum over images of max(#positives, 1)
            double avgFactor = weights.gt(0)
                    .sum(new int[] {1})
                    .maximum(1)
                    .sum()
                    .toType(DataType.FLOAT64, false)
                    .getDouble();
            NDArray ghm = histogram.weights(g, valid, avgFactor, scope.manager());
            NDArray perAnchor = asl1.mul(ghm).sum(new int[] {2}).mul(weights).mul(lossWeight);
            return scope.keep(perAnchor);
        }
    }

    public GradientHistogram histogram() {
        return histogram;
    }
}
