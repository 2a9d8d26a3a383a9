package org.retinanet.api.loss;

/**
 * A dense classification loss over all anchors of a batch. Implementations are pure NDArray code
 * (differentiable through DJL autograd, device-agnostic) and may keep state (GHM-C's moving
 * average).
 */
public interface ClassificationLoss {

    LossValue compute(ClassificationInput input);

    /** Whether {@link ClassificationInput#boxLoss()} / {@code predictedBoxes} are needed (OHEM). */
    default boolean needsBoxInputs() {
        return false;
    }
}
