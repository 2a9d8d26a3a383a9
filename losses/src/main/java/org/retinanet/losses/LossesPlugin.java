package org.retinanet.losses;

import java.util.List;
import org.retinanet.api.spi.BoxLossFactory;
import org.retinanet.api.spi.ClassificationLossFactory;
import org.retinanet.api.spi.RetinanetPlugin;
import org.retinanet.losses.box.GhmrLoss;
import org.retinanet.losses.box.GhmrLossConfig;
import org.retinanet.losses.box.GiouLoss;
import org.retinanet.losses.box.GiouLossConfig;
import org.retinanet.losses.box.L1LossConfig;
import org.retinanet.losses.box.SmoothL1Loss;
import org.retinanet.losses.box.SmoothL1LossConfig;
import org.retinanet.losses.cls.AlphaCeLossConfig;
import org.retinanet.losses.cls.CeLossConfig;
import org.retinanet.losses.cls.FocalLossConfig;
import org.retinanet.losses.cls.FocalStarLoss;
import org.retinanet.losses.cls.FocalStarLossConfig;
import org.retinanet.losses.cls.GhmcLoss;
import org.retinanet.losses.cls.GhmcLossConfig;
import org.retinanet.losses.cls.OhemLoss;
import org.retinanet.losses.cls.OhemLossConfig;
import org.retinanet.losses.cls.SigmoidFocalLoss;

/** The losses of the paper's Table 1 and appendix A, GHM, and the common box regression losses. */
public final class LossesPlugin implements RetinanetPlugin {

    @Override
    public List<ClassificationLossFactory<?>> classificationLosses() {
        return List.of(
                new ClassificationFactory<>(
                        "focal",
                        FocalLossConfig.class,
                        "sigmoid focal loss -alpha_t (1-p_t)^gamma log p_t (gamma 2, alpha 0.25)",
                        c -> new SigmoidFocalLoss("focal", c.gamma(), c.alpha(), c.lossWeight())),
                new ClassificationFactory<>(
                        "ce",
                        CeLossConfig.class,
                        "sigmoid cross entropy over all anchors",
                        c -> new SigmoidFocalLoss("ce", 0, -1, c.lossWeight())),
                new ClassificationFactory<>(
                        "alpha_ce",
                        AlphaCeLossConfig.class,
                        "alpha-balanced sigmoid cross entropy (Table 1a; alpha 0.75)",
                        c -> new SigmoidFocalLoss("alpha_ce", 0, c.alpha(), c.lossWeight())),
                new ClassificationFactory<>(
                        "focal_star",
                        FocalStarLossConfig.class,
                        "FL* = -log(sigmoid(gamma x_t + beta)) / gamma (appendix A; gamma 4, beta 0)",
                        c -> new FocalStarLoss(c.gamma(), c.beta(), c.alpha(), c.lossWeight())),
                new ClassificationFactory<>(
                        "ohem",
                        OhemLossConfig.class,
                        "online hard example mining: CE over the B hardest anchors after NMS (Table 1d)",
                        OhemLoss::new),
                new ClassificationFactory<>(
                        "ghm_c",
                        GhmcLossConfig.class,
                        "gradient harmonizing classification loss (mmdetection GHMC; 30 bins, momentum 0.75)",
                        c -> new GhmcLoss(c.bins(), c.momentum(), c.lossWeight())));
    }

    @Override
    public List<BoxLossFactory<?>> boxLosses() {
        return List.of(
                new BoxFactory<>(
                        "l1", L1LossConfig.class, "L1 on the deltas", c -> new SmoothL1Loss("l1", 0, c.lossWeight())),
                new BoxFactory<>(
                        "smooth_l1",
                        SmoothL1LossConfig.class,
                        "smooth L1 on the deltas (beta 0.11)",
                        c -> new SmoothL1Loss("smooth_l1", c.beta(), c.lossWeight())),
                new BoxFactory<>(
                        "giou",
                        GiouLossConfig.class,
                        "1 - GIoU on decoded boxes",
                        c -> new GiouLoss(c.eps(), c.lossWeight())),
                new BoxFactory<>(
                        "ghm_r",
                        GhmrLossConfig.class,
                        "gradient harmonizing regression loss (mmdetection GHMR; mu 0.02, 10 bins, momentum 0.7)",
                        c -> new GhmrLoss(c.mu(), c.bins(), c.momentum(), c.lossWeight())));
    }
}
