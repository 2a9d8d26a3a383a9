package org.retinanet.losses.cls;

import ai.djl.ndarray.NDArray;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.Scope;

/**
 * FL* of the paper's appendix A: p*_t = sigmoid(gamma x_t + beta), FL* = -log(p*_t) / gamma,
 * optionally alpha-balanced (the appendix's experiments use alpha 0.25 throughout), summed per
 * image over the valid anchors. Computed as softplus(-(gamma x_t + beta)) / gamma, which is finite
 * for any logit.
 */
public final class FocalStarLoss implements ClassificationLoss {

    private final double gamma;
    private final double beta;
    private final double alpha;
    private final double lossWeight;

    public FocalStarLoss(double gamma, double beta, double alpha, double lossWeight) {
        if (!(gamma > 0)) {
            throw new IllegalArgumentException("focal_star: gamma must be > 0, got " + gamma);
        }
        this.gamma = gamma;
        this.beta = beta;
        this.alpha = alpha;
        this.lossWeight = lossWeight;
    }

    @Override
    public LossValue compute(ClassificationInput input) {
        try (Scope scope = Scope.of(input.logits(), input.labels())) {
            ClassificationTargets t = ClassificationTargets.of(input, scope.manager(), "focal_star");
            NDArray loss = t.signedLogits()
                    .mul(gamma)
                    .add(beta)
                    .neg()
                    .getNDArrayInternal()
                    .softPlus()
                    .div(gamma);
            NDArray perImage = loss.mul(t.weights(alpha)).sum(new int[] {1, 2}).mul(lossWeight);
            return LossValue.of(scope.keep(perImage));
        }
    }
}
