package org.retinanet.losses.cls;

import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.losses.ConfigChecks;

/**
 * Config of {@code ohem}: online hard example mining for a dense detector, as the paper's Table 1d
 * defines it. Per image, the valid anchors are scored by their loss (sigmoid CE summed over the K
 * classes, plus the anchor's box loss when {@code includeBoxLoss}), optionally de-duplicated by
 * greedy NMS over their decoded predicted boxes, and the B highest-loss survivors form the
 * minibatch; the loss is the CE of the kept anchors, normalised by how many were kept.
 *
 * <p>With {@code positiveFraction} set (the paper's "OHEM 1:3", SSD's variant) the minibatch takes
 * at most floor(B * positiveFraction) positives, the hardest ones, and fills the rest with the
 * hardest negatives (Detectron's and mmdetection's sampler semantics: when an image has fewer
 * positives, more negatives are taken, so the minibatch stays B when it can).
 * {@code maxNegativesPerPositive} caps the negatives at that multiple of max(1, #positives)
 * (mmdetection's neg_pos_ub; 3 with positiveFraction 0.25 enforces 1:3 strictly, as SSD does).
 *
 * @param batchSize B, anchors kept per image (128; the paper tries 128, 256, 512)
 * @param nmsIou IoU above which a lower-loss anchor is suppressed (0.5, the best row of Table 1d);
 *     null or 0 switches NMS off
 * @param positiveFraction fraction of B reserved for positives, e.g. 0.25 for 1:3; null (default)
 *     ranks by loss alone
 * @param maxNegativesPerPositive cap on negatives per positive; null (default) for no cap; needs
 *     positiveFraction
 * @param includeBoxLoss add the box loss of positives to their score, as in OHEM's original form
 *     (true); needs the head to pass the per-anchor box loss
 * @param lossWeight multiplies the loss (1.0)
 */
public record OhemLossConfig(
        Integer batchSize,
        Double nmsIou,
        Double positiveFraction,
        Double maxNegativesPerPositive,
        Boolean includeBoxLoss,
        Double lossWeight)
        implements ClassificationLossConfig {

    public OhemLossConfig {
        batchSize = batchSize == null ? 128 : batchSize;
        nmsIou = nmsIou == null ? 0.5 : nmsIou;
        includeBoxLoss = includeBoxLoss == null || includeBoxLoss;
        lossWeight = lossWeight == null ? 1.0 : lossWeight;
        ConfigChecks.positive("ohem", "batchSize", batchSize);
        if (!(nmsIou >= 0 && nmsIou <= 1)) {
            throw new IllegalArgumentException("ohem: nmsIou must be in [0, 1] (0 = no NMS), got " + nmsIou);
        }
        if (positiveFraction != null && !(positiveFraction > 0 && positiveFraction <= 1)) {
            throw new IllegalArgumentException(
                    "ohem: positiveFraction must be in (0, 1] or absent, got " + positiveFraction);
        }
        if (maxNegativesPerPositive != null) {
            ConfigChecks.nonNegative("ohem", "maxNegativesPerPositive", maxNegativesPerPositive);
            if (positiveFraction == null) {
                throw new IllegalArgumentException("ohem: maxNegativesPerPositive (" + maxNegativesPerPositive
                        + ") needs positiveFraction: without it the minibatch ignores labels");
            }
        }
        ConfigChecks.nonNegative("ohem", "lossWeight", lossWeight);
    }

    /** Whether NMS de-duplication is on. */
    public boolean nmsEnabled() {
        return nmsIou > 0;
    }

    public static OhemLossConfig defaults() {
        return new OhemLossConfig(null, null, null, null, null, null);
    }
}
