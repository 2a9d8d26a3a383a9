package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinanet.api.statedict.LoadReport;

/**
 * init.checkpoint: key flavours, what is reported, strictness, and the one-line error for another depth
 * (download URLs are refused when the config is read: ConfigAndPluginTest).
 */
class CheckpointLoadTest {

    private static ResNet initialised(ResNetConfig config, NDManager manager) {
        ResNet backbone = Backbones.build(config);
        backbone.setInitializer(Initializer.ZEROS, p -> true);
        backbone.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return backbone;
    }

    private static ResNetConfig withCheckpoint(int depth, String fixture, Boolean strict) {
        return new ResNetConfig(
                depth,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new InitConfig(Backbones.fixture(fixture).toString(), strict));
    }

    @Test
    void mmdetectionCheckpointLoadsTheBackboneKeysAndReportsTheRest() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet backbone = initialised(withCheckpoint(18, "resnet18_mmdet.pth", null), manager);
            LoadReport report = backbone.loadPretrained(manager).orElseThrow();
            assertThat(report.loaded()).hasSize(100).allMatch(k -> k.startsWith("backbone."));
            assertThat(report.ignored()).contains("neck.lateral_convs.0.conv.weight");
            assertThat(report.missing()).isEmpty();
            assertThat(report.unexpected()).isEmpty();
            Map<String, NDArray> ref = Backbones.npz(manager, "resnet18_out.npz");
            NDList out = Backbones.forward(backbone, manager, ref.get("x"), false);
            assertThat(Backbones.relativeError(out.get(3), ref.get("eval_c5"))).isLessThan(1e-4);
        }
    }

    @Test
    void anotherDepthNamesTheFirstMismatchedKeyAndBothShapes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet r18 = initialised(withCheckpoint(18, "resnet50.pth", null), manager);
            assertThatThrownBy(() -> r18.loadPretrained(manager))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resnet50.pth")
                    .hasMessageContaining("'layer1.0.conv1.weight' has shape (64, 64, 1, 1)")
                    .hasMessageContaining("expects (64, 64, 3, 3)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void missingKeysAreAnErrorUnlessNotStrict() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet strict = initialised(withCheckpoint(34, "resnet18.pth", null), manager);
            assertThatThrownBy(() -> strict.loadPretrained(manager))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing")
                    .hasMessageContaining("layer1.2.conv1.weight");
            ResNet lenient = initialised(withCheckpoint(34, "resnet18.pth", false), manager);
            LoadReport report = lenient.loadPretrained(manager).orElseThrow();
            assertThat(report.missing()).contains("layer1.2.conv1.weight", "layer3.5.bn2.running_var");
            assertThat(report.ignored()).contains("fc.weight", "fc.bias");
            assertThat(report.loaded()).contains("layer1.0.conv1.weight");
        }
    }

    @Test
    void noCheckpointLoadsNothingAndBadPathsAreNamed() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(Backbones.build(ResNetConfig.defaults()).loadPretrained(manager))
                    .isEmpty();
            ResNet missing = Backbones.build(new ResNetConfig(
                    18,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    new InitConfig("/nonexistent/resnet18.pth", null)));
            assertThatThrownBy(() -> missing.loadPretrained(manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("/nonexistent/resnet18.pth");
        }
    }

    @Test
    void detectorPrefixIsRecognised() {
        assertThat(CheckpointImport.detectorPrefix(List.of("backbone.body.conv1.weight", "backbone.fpn.x")))
                .isEqualTo("backbone.body.");
        assertThat(CheckpointImport.detectorPrefix(List.of("neck.a", "backbone.conv1.weight")))
                .isEqualTo("backbone.");
        assertThat(CheckpointImport.detectorPrefix(List.of("module.backbone.conv1.weight")))
                .isEqualTo("backbone.");
        assertThat(CheckpointImport.detectorPrefix(List.of("conv1.weight", "fc.weight")))
                .isEmpty();
        var options = new CheckpointImport(NormType.BN).options(List.of("backbone.body.conv1.weight"), true);
        assertThat(options.rename().apply("backbone.body.layer1.0.bn1.weight")).isEqualTo("layer1.0.bn1.weight");
        assertThat(options.rename().apply("backbone.fpn.inner_blocks.0.0.weight"))
                .isNull();
        assertThat(options.ignoredOnPurpose().test("backbone.fpn.inner_blocks.0.0.weight"))
                .isTrue();
        assertThat(options.ignoredOnPurpose().test("backbone.body.conv1.weight"))
                .isFalse();
    }
}
