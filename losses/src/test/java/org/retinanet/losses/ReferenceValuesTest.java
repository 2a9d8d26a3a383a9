package org.retinanet.losses;

import static org.retinanet.losses.TestArrays.assertClose;
import static org.retinanet.losses.TestArrays.doubles;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.losses.box.GiouLoss;
import org.retinanet.losses.box.SmoothL1Loss;
import org.retinanet.losses.cls.SigmoidFocalLoss;
import org.retinanet.testing.Fixtures;

/** Loss values against torch 1.13 / torchvision 0.14 (scripts/fixtures/losses_focal.py). */
class ReferenceValuesTest {

    private static NDManager manager;
    private static Map<String, NDArray> ref;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        ref = TestArrays.loadNpz(manager, Fixtures.generated("losses/losses.npz"));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static ClassificationInput classificationInput() {
        return new ClassificationInput(ref.get("logits"), ref.get("labels"), null, null);
    }

    @Test
    void focalLossEqualsTorchvisionSigmoidFocalLossSummedPerImage() {
        double[] params = doubles(ref.get("focal_params"));
        for (int p = 0; p < params.length / 2; p++) {
            double gamma = params[2 * p];
            double alpha = params[2 * p + 1];
            SigmoidFocalLoss loss = new SigmoidFocalLoss("focal", gamma, alpha, 1.0);
            NDArray perImage = loss.compute(classificationInput()).perImage();
            assertClose(
                    doubles(perImage),
                    doubles(ref.get("focal_" + p)),
                    1e-5,
                    1e-5,
                    "focal gamma " + gamma + " alpha " + alpha);
        }
    }

    @Test
    void lossWeightScalesTheLoss() {
        NDArray perImage = new SigmoidFocalLoss("focal", 2, 0.25, 0.5)
                .compute(classificationInput())
                .perImage();
        double[] expected = doubles(ref.get("focal_0"));
        for (int i = 0; i < expected.length; i++) {
            expected[i] *= 0.5;
        }
        assertClose(doubles(perImage), expected, 1e-5, 1e-5, "focal * 0.5");
    }

    @Test
    void ceEqualsTorchBinaryCrossEntropyWithLogits() {
        NDArray perImage = new SigmoidFocalLoss("ce", 0, -1, 1.0)
                .compute(classificationInput())
                .perImage();
        assertClose(doubles(perImage), doubles(ref.get("ce")), 1e-5, 1e-5, "ce");
    }

    private static BoxInput deltaInput() {
        return new BoxInput(ref.get("pred_deltas"), ref.get("target_deltas"), ref.get("box_weights"), null, null);
    }

    @Test
    void l1AndSmoothL1EqualTorch() {
        assertClose(
                doubles(new SmoothL1Loss("l1", 0, 1).compute(deltaInput())), doubles(ref.get("l1")), 1e-5, 1e-6, "l1");
        assertClose(
                doubles(new SmoothL1Loss("smooth_l1", 0.11, 1).compute(deltaInput())),
                doubles(ref.get("smooth_l1_b011")),
                1e-5,
                1e-6,
                "smooth_l1 beta 0.11");
        assertClose(
                doubles(new SmoothL1Loss("smooth_l1", 1.0, 1).compute(deltaInput())),
                doubles(ref.get("smooth_l1_b1")),
                1e-5,
                1e-6,
                "smooth_l1 beta 1");
    }

    @Test
    void giouEqualsTorchvisionGeneralizedBoxIouLossIncludingZeroSizeBoxes() {
        BoxInput input =
                new BoxInput(null, null, ref.get("giou_weights"), ref.get("pred_boxes"), ref.get("target_boxes"));
        assertClose(doubles(new GiouLoss(1e-7, 1).compute(input)), doubles(ref.get("giou")), 1e-5, 1e-6, "giou");
    }
}
