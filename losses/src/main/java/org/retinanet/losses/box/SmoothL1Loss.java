package org.retinanet.losses.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.losses.Scope;

/**
 * Smooth L1 on the deltas, summed over the 4 coordinates and multiplied by the anchor's weight:
 * 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (torch's smooth_l1_loss with beta,
 * mmdetection's SmoothL1Loss, Detectron's beta 0.11). beta 0 is the L1 loss.
 */
public final class SmoothL1Loss implements BoxLoss {

    private final String name;
    private final double beta;
    private final double lossWeight;

    public SmoothL1Loss(String name, double beta, double lossWeight) {
        this.name = name;
        this.beta = beta;
        this.lossWeight = lossWeight;
    }

    @Override
    public NDArray compute(BoxInput input) {
        BoxInputs.check(name, input, false);
        try (Scope scope = Scope.of(input.predDeltas(), input.targetDeltas(), input.weights())) {
            NDArray diff = input.predDeltas().sub(input.targetDeltas()).abs();
            NDArray loss = beta == 0
                    ? diff
                    : NDArrays.where(diff.lt(beta), diff.square().mul(0.5 / beta), diff.sub(0.5 * beta));
            NDArray perAnchor = loss.sum(new int[] {2}).mul(input.weights()).mul(lossWeight);
            return scope.keep(perAnchor);
        }
    }
}
