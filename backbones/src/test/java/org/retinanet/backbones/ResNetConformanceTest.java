package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.statedict.LoadReport;

/**
 * C2..C5 of our backbone equal torchvision's for the same weights (torch.save'd state dicts with
 * randomised BN statistics and affine terms; fixtures from scripts/fixtures/backbones_resnet.py).
 * Tolerance: max abs difference below 1e-4 of the reference's max abs value.
 */
class ResNetConformanceTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void resnet18EvalNormEvalTrainingAndBatchStatistics() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet18_out.npz");
            assertStagesMatch(
                    load(Backbones.resnet(18, null, null, null, null, path("resnet18.pth")), manager, true),
                    manager,
                    ref,
                    "eval",
                    "frozen");

            // plain training mode: BN uses batch statistics and updates its running statistics
            ResNet training = load(Backbones.resnet(18, null, -1, false, null, path("resnet18.pth")), manager, true);
            NDList out = Backbones.forward(training, manager, ref.get("x"), true);
            assertMatches(out, ref, "train");
            for (Map.Entry<String, Parameter> e :
                    TorchNames.parameters(training).entrySet()) {
                if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                    assertThat(Backbones.relativeError(e.getValue().getArray(), ref.get("after_train." + e.getKey())))
                            .as(e.getKey())
                            .isLessThan(TOLERANCE);
                }
            }
        }
    }

    @Test
    void resnet50EvalAndNormEvalTraining() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet50_out.npz");
            assertStagesMatch(
                    load(Backbones.resnet(50, null, null, null, null, path("resnet50.pth")), manager, true),
                    manager,
                    ref,
                    "eval",
                    "frozen");
        }
    }

    @Test
    void resnext50EvalAndNormEvalTraining() throws IOException {
        ResNeXtConfig config = new ResNeXtConfig(
                50,
                32,
                4,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new InitConfig(path("resnext50_32x4d.pth"), null));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnext50_32x4d_out.npz");
            ResNet backbone = (ResNet) new ResNeXtFactory().create(config);
            initializeAndLoad(backbone, manager, true);
            assertStagesMatch(backbone, manager, ref, "eval", "frozen");
        }
    }

    @Test
    void caffeStyleStridesTheFirstConvOfABottleneck() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet50_caffe_out.npz");
            ResNet caffe =
                    load(Backbones.resnet(50, Style.CAFFE, null, null, null, path("resnet50.pth")), manager, true);
            assertMatches(Backbones.forward(caffe, manager, ref.get("x"), false), ref, "eval");
            assertMatches(Backbones.forward(caffe, manager, ref.get("x"), true), ref, "eval");
        }
    }

    @Test
    void frozenBatchNormEqualsBatchNormInEvalMode() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet18_out.npz");
            ResNet frozen = load(
                    Backbones.resnet(18, null, -1, false, NormType.FROZEN_BN, path("resnet18.pth")), manager, true);
            assertMatches(Backbones.forward(frozen, manager, ref.get("x"), true), ref, "eval");
        }
    }

    @Test
    void groupNormVariant() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet18_gn_out.npz");
            ResNet gn = load(Backbones.resnet(18, null, -1, null, NormType.GN, path("resnet18_gn.pth")), manager, true);
            assertMatches(Backbones.forward(gn, manager, ref.get("x"), true), ref, "eval");
        }
    }

    private static void assertStagesMatch(
            ResNet backbone, NDManager manager, Map<String, NDArray> ref, String evalPrefix, String trainingPrefix) {
        NDArray x = ref.get("x");
        assertMatches(Backbones.forward(backbone, manager, x, false), ref, evalPrefix);
        // mmdetection's training mode with norm_eval: running statistics, and they stay as they were
        NDArray meanBefore = runningMean(backbone, "layer3.0.bn1").duplicate();
        assertMatches(Backbones.forward(backbone, manager, x, true), ref, trainingPrefix);
        assertThat(runningMean(backbone, "layer3.0.bn1").contentEquals(meanBefore))
                .isTrue();
    }

    private static NDArray runningMean(ResNet backbone, String layer) {
        return TorchNames.parameters(backbone).get(layer + ".running_mean").getArray();
    }

    /** Compares every returned stage (C2..C5 by default) with the reference's. */
    private static void assertMatches(NDList out, Map<String, NDArray> ref, String prefix) {
        List<String> stages = Backbones.stageNames();
        assertThat(out).hasSize(stages.size());
        for (int i = 0; i < stages.size(); i++) {
            NDArray expected = ref.get(prefix + "_" + stages.get(i));
            assertThat(Backbones.relativeError(out.get(i), expected))
                    .as(prefix + " " + stages.get(i))
                    .isLessThan(TOLERANCE);
        }
    }

    private static ResNet load(ResNetConfig config, NDManager manager, boolean expectClassifier) throws IOException {
        ResNet backbone = Backbones.build(config);
        initializeAndLoad(backbone, manager, expectClassifier);
        return backbone;
    }

    private static void initializeAndLoad(ResNet backbone, NDManager manager, boolean expectClassifier)
            throws IOException {
        // every value is overwritten by the checkpoint: skip the random draw
        backbone.setInitializer(ai.djl.training.initializer.Initializer.ZEROS, p -> true);
        backbone.initialize(manager, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
        LoadReport report = backbone.loadPretrained(manager).orElseThrow();
        assertThat(report.missing()).isEmpty();
        assertThat(report.unexpected()).isEmpty();
        assertThat(report.loaded()).hasSize(TorchNames.parameters(backbone).size());
        if (expectClassifier) {
            assertThat(report.ignored()).contains("fc.weight", "fc.bias");
        }
    }

    private static String path(String fixture) {
        return Backbones.fixture(fixture).toString();
    }
}
