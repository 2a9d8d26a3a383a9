package org.retinanet.losses.cls;

import ai.djl.ndarray.NDArray;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.losses.Scope;

/**
 * Sigmoid focal loss FL = -alpha_t (1 - p_t)^gamma log(p_t) per (anchor, class), summed per image
 * over the valid anchors. gamma 0 and no alpha is plain sigmoid cross entropy; gamma 0 with alpha
 * is alpha-balanced CE (the paper's Table 1a).
 *
 * <p>Fused and stable in the signed logit x_t = y x: -log(p_t) = softplus(-x_t) and
 * (1 - p_t)^gamma = exp(-gamma softplus(x_t)). Neither takes a log of a probability, so logits of
 * +-100 give finite values and finite gradients for every gamma >= 0.
 */
public final class SigmoidFocalLoss implements ClassificationLoss {

    private final String name;
    private final double gamma;
    private final double alpha;
    private final double lossWeight;

    /**
     * @param name the factory id, for messages
     * @param gamma focusing parameter, >= 0
     * @param alpha weight of the positive class (negatives get 1 - alpha); < 0 means none
     * @param lossWeight multiplies the loss
     */
    public SigmoidFocalLoss(String name, double gamma, double alpha, double lossWeight) {
        this.name = name;
        this.gamma = gamma;
        this.alpha = alpha;
        this.lossWeight = lossWeight;
    }

    @Override
    public LossValue compute(ClassificationInput input) {
        try (Scope scope = Scope.of(input.logits(), input.labels())) {
            ClassificationTargets t = ClassificationTargets.of(input, scope.manager(), name);
            NDArray loss = elementLoss(t, gamma);
            NDArray perImage = loss.mul(t.weights(alpha)).sum(new int[] {1, 2}).mul(lossWeight);
            return LossValue.of(scope.keep(perImage));
        }
    }

    /** The focal loss of every (anchor, class), before alpha weighting and masking: (N, M, K). */
    static NDArray elementLoss(ClassificationTargets t, double gamma) {
        NDArray xt = t.signedLogits();
        NDArray loss = xt.neg().getNDArrayInternal().softPlus(); // -log(p_t)
        if (gamma != 0) {
            loss = loss.mul(xt.getNDArrayInternal().softPlus().mul(-gamma).exp()); // (1 - p_t)^gamma
        }
        return loss;
    }

    public double gamma() {
        return gamma;
    }

    public double alpha() {
        return alpha;
    }

    public double lossWeight() {
        return lossWeight;
    }
}
