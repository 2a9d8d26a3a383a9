package org.retinanet.necks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.Neck;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.spi.NeckFactory;
import org.retinanet.api.spi.RetinanetPlugin;

class FpnTest {

    static final List<FeatureSpec> R18 =
            List.of(new FeatureSpec("C3", 128, 8), new FeatureSpec("C4", 256, 16), new FeatureSpec("C5", 512, 32));

    @Test
    void pluginContributesFpn() {
        List<NeckFactory<?>> necks = ServiceLoader.load(RetinanetPlugin.class).stream()
                .flatMap(p -> p.get().necks().stream())
                .toList();
        assertThat(necks).extracting(NeckFactory::id).contains("fpn");
        NeckFactory<?> fpn =
                necks.stream().filter(f -> f.id().equals("fpn")).findFirst().orElseThrow();
        assertThat(fpn.configType()).isEqualTo(FpnConfig.class);
    }

    @Test
    void mmdetectionKeysAndShapesForResNet18() {
        Neck neck = new FpnFactory().create(FpnConfig.defaults(), R18);
        try (NDManager manager = NDManager.newBaseManager()) {
            neck.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, 128, 16, 16),
                    new Shape(1, 256, 8, 8),
                    new Shape(1, 512, 4, 4));
            Map<String, Parameter> params = TorchNames.parameters(neck);
            assertThat(params.keySet())
                    .containsExactly(
                            "lateral_convs.0.conv.weight", "lateral_convs.0.conv.bias",
                            "lateral_convs.1.conv.weight", "lateral_convs.1.conv.bias",
                            "lateral_convs.2.conv.weight", "lateral_convs.2.conv.bias",
                            "fpn_convs.0.conv.weight", "fpn_convs.0.conv.bias",
                            "fpn_convs.1.conv.weight", "fpn_convs.1.conv.bias",
                            "fpn_convs.2.conv.weight", "fpn_convs.2.conv.bias",
                            "fpn_convs.3.conv.weight", "fpn_convs.3.conv.bias",
                            "fpn_convs.4.conv.weight", "fpn_convs.4.conv.bias");
            // spec section 5: lateral [256,128|256|512,1,1], P6 conv on C5 [256,512,3,3]
            assertThat(params.get("lateral_convs.2.conv.weight").getArray().getShape())
                    .isEqualTo(new Shape(256, 512, 1, 1));
            assertThat(params.get("fpn_convs.3.conv.weight").getArray().getShape())
                    .isEqualTo(new Shape(256, 512, 3, 3));
            assertThat(params.get("fpn_convs.4.conv.weight").getArray().getShape())
                    .isEqualTo(new Shape(256, 256, 3, 3));
            // xavier_uniform gain 1: U(+-sqrt(6 / (fanIn + fanOut))); biases zero
            double bound = Math.sqrt(6.0 / (256 * 9 + 256 * 9));
            NDArray w = params.get("fpn_convs.1.conv.weight").getArray();
            assertThat((double) w.abs().max().getFloat())
                    .isLessThanOrEqualTo(bound)
                    .isGreaterThan(0.95 * bound);
            assertThat(params.get("fpn_convs.1.conv.bias")
                            .getArray()
                            .abs()
                            .max()
                            .getFloat())
                    .isZero();
        }
        assertThat(neck.outputFeatures())
                .containsExactly(
                        new FeatureSpec("P3", 256, 8),
                        new FeatureSpec("P4", 256, 16),
                        new FeatureSpec("P5", 256, 32),
                        new FeatureSpec("P6", 256, 64),
                        new FeatureSpec("P7", 256, 128));
    }

    @Test
    void kaimingInitForTorchvisionFlavour() {
        Fpn fpn = new Fpn(FpnConfig.torchvisionV1(), R18);
        try (NDManager manager = NDManager.newBaseManager()) {
            fpn.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, 128, 16, 16),
                    new Shape(1, 256, 8, 8),
                    new Shape(1, 512, 4, 4));
            NDArray w = TorchNames.parameters(fpn)
                    .get("lateral_convs.2.conv.weight")
                    .getArray();
            double bound = Math.sqrt(3.0 / 512); // kaiming_uniform(a=1): gain 1, U(+-sqrt(3 / fanIn))
            assertThat((double) w.abs().max().getFloat())
                    .isLessThanOrEqualTo(bound)
                    .isGreaterThan(0.95 * bound);
            // P6 from P5 (torchvision v1): 256 in-channels, not C5's 512
            assertThat(TorchNames.parameters(fpn)
                            .get("fpn_convs.3.conv.weight")
                            .getArray()
                            .getShape())
                    .isEqualTo(new Shape(256, 256, 3, 3));
        }
    }

    @Test
    void outputShapesForAnOddPaddedInput() {
        // spec 1.3: for 800x1344 the maps are 100x168, 50x84, 25x42, 13x21, 7x11
        Fpn fpn = new Fpn(FpnConfig.defaults(), R18);
        Shape[] out = fpn.getOutputShapes(
                new Shape[] {new Shape(2, 128, 100, 168), new Shape(2, 256, 50, 84), new Shape(2, 512, 25, 42)});
        assertThat(out)
                .containsExactly(
                        new Shape(2, 256, 100, 168),
                        new Shape(2, 256, 50, 84),
                        new Shape(2, 256, 25, 42),
                        new Shape(2, 256, 13, 21),
                        new Shape(2, 256, 7, 11));
    }

    @Test
    void startLevelSkipsLeadingFeaturesLikeMmdetection() {
        List<FeatureSpec> withC2 = List.of(
                new FeatureSpec("C2", 8, 4),
                new FeatureSpec("C3", 16, 8),
                new FeatureSpec("C4", 32, 16),
                new FeatureSpec("C5", 48, 32));
        List<FeatureSpec> withoutC2 = withC2.subList(1, 4);
        for (String extra : List.of("on_input", "on_lateral", "on_output", "none")) {
            Fpn skipping = new Fpn(new FpnConfig(32, 1, 5, extra, true, "none", null, null), withC2);
            Fpn plain = new Fpn(new FpnConfig(32, 0, 5, extra, true, "none", null, null), withoutC2);
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray c2 = manager.randomNormal(new Shape(1, 8, 36, 44));
                NDArray c3 = manager.randomNormal(new Shape(1, 16, 18, 22));
                NDArray c4 = manager.randomNormal(new Shape(1, 32, 9, 11));
                NDArray c5 = manager.randomNormal(new Shape(1, 48, 5, 6));
                skipping.initialize(
                        manager, DataType.FLOAT32, c2.getShape(), c3.getShape(), c4.getShape(), c5.getShape());
                plain.initialize(manager, DataType.FLOAT32, c3.getShape(), c4.getShape(), c5.getShape());
                Map<String, Parameter> from = TorchNames.parameters(plain);
                Map<String, Parameter> to = TorchNames.parameters(skipping);
                assertThat(to.keySet()).isEqualTo(from.keySet());
                from.forEach((k, p) -> to.get(k).getArray().set(p.getArray().toFloatArray()));

                NDList a = skipping.forward(new ParameterStore(manager, false), new NDList(c2, c3, c4, c5), false);
                NDList b = plain.forward(new ParameterStore(manager, false), new NDList(c3, c4, c5), false);
                assertThat(a).hasSize(5);
                for (int i = 0; i < 5; i++) {
                    assertThat(a.get(i).getShape()).isEqualTo(b.get(i).getShape());
                    assertThat(a.get(i).sub(b.get(i)).abs().max().getFloat())
                            .as(extra + " level " + i)
                            .isZero();
                }
                assertThat(skipping.outputFeatures()).isEqualTo(plain.outputFeatures());
            }
        }
    }

    @Test
    void extraLevelsWithoutConvsAreMaxPoolOfTheLevelBelow() {
        Fpn fpn = new Fpn(new FpnConfig(16, 0, 5, "none", false, "none", null, null), R18.subList(0, 1));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray c3 = manager.randomNormal(new Shape(1, 128, 9, 7));
            fpn.initialize(manager, DataType.FLOAT32, c3.getShape());
            assertThat(TorchNames.parameters(fpn)).hasSize(4);
            NDList out = fpn.forward(new ParameterStore(manager, false), new NDList(c3), false);
            assertThat(out.get(1).getShape()).isEqualTo(new Shape(1, 16, 5, 4));
            assertThat(out.get(4).getShape()).isEqualTo(new Shape(1, 16, 1, 1));
            assertThat(out.get(1)
                            .sub(out.get(0).get(":, :, ::2, ::2"))
                            .abs()
                            .max()
                            .getFloat())
                    .isZero();
        }
    }

    @Test
    void torchvisionKeysMapToOurs() {
        Fpn fpn = new Fpn(FpnConfig.torchvisionV1(), R18);
        String tv = CheckpointKeys.TORCHVISION;
        assertThat(fpn.importKey(tv, "inner_blocks.1.0.weight")).isEqualTo("lateral_convs.1.conv.weight");
        assertThat(fpn.importKey(tv, "fpn.inner_blocks.2.0.bias")).isEqualTo("lateral_convs.2.conv.bias");
        assertThat(fpn.importKey(tv, "inner_blocks.0.weight"))
                .as("pre-0.13 layout")
                .isEqualTo("lateral_convs.0.conv.weight");
        assertThat(fpn.importKey(tv, "layer_blocks.2.0.weight")).isEqualTo("fpn_convs.2.conv.weight");
        assertThat(fpn.importKey(tv, "layer_blocks.0.1.bias")).isEqualTo("fpn_convs.0.gn.bias");
        assertThat(fpn.importKey(tv, "extra_blocks.p6.weight")).isEqualTo("fpn_convs.3.conv.weight");
        assertThat(fpn.importKey(tv, "fpn.extra_blocks.p7.bias")).isEqualTo("fpn_convs.4.conv.bias");
        assertThat(fpn.importKey(tv, "body.conv1.weight"))
                .as("not ours: left to be reported")
                .isEqualTo("body.conv1.weight");
        assertThat(fpn.importKey(CheckpointKeys.MMDET, "fpn_convs.3.conv.weight"))
                .isEqualTo("fpn_convs.3.conv.weight");
    }

    @Test
    void groupNormKeysFollowMmcv() {
        Fpn fpn = new Fpn(new FpnConfig(64, 0, 4, "on_output", false, "gn", 32, null), R18);
        try (NDManager manager = NDManager.newBaseManager()) {
            fpn.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, 128, 8, 8),
                    new Shape(1, 256, 4, 4),
                    new Shape(1, 512, 2, 2));
            assertThat(TorchNames.parameters(fpn).keySet())
                    .contains(
                            "lateral_convs.0.conv.weight",
                            "lateral_convs.0.gn.weight",
                            "lateral_convs.0.gn.bias",
                            "fpn_convs.3.gn.weight")
                    .doesNotContain("lateral_convs.0.conv.bias");
        }
    }

    @Test
    void badConfigsFailNamingTheField() {
        // config values that do not fit the backbone: bad input (exit 2), naming the key
        assertThatThrownBy(() -> new Fpn(new FpnConfig(null, null, 2, null, null, null, null, null), R18))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("model.neck.numOuts 2")
                .hasMessageContaining("3 backbone features");
        assertThatThrownBy(() -> new Fpn(new FpnConfig(null, 3, null, null, null, null, null, null), R18))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("model.neck.startLevel 3");
        assertThatThrownBy(() -> new FpnConfig(null, null, null, "on_c5", null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("addExtraConvs")
                .hasMessageContaining("'on_c5'")
                .hasMessageContaining("on_output");
        assertThatThrownBy(() -> new FpnConfig(null, null, null, "true", null, null, null, null))
                .hasMessageContaining("addExtraConvs");
        assertThatThrownBy(() -> new FpnConfig(null, null, null, null, null, "bn", null, null))
                .hasMessageContaining("norm");
        assertThatThrownBy(() -> new FpnConfig(100, null, null, null, null, "gn", 32, null))
                .hasMessageContaining("numGroups 32");
        assertThatThrownBy(() -> new FpnConfig(null, null, null, null, null, null, null, "normal"))
                .hasMessageContaining("init");
        assertThatThrownBy(() -> new FpnConfig(0, null, null, null, null, null, null, null))
                .hasMessageContaining("outChannels");
        assertThatThrownBy(() -> new FpnConfig(null, null, 0, null, null, null, null, null))
                .hasMessageContaining("numOuts");
    }

    @Test
    void wrongNumberOfFeaturesAtForwardIsAClearError() {
        Fpn fpn = new Fpn(FpnConfig.defaults(), R18);
        assertThatThrownBy(() -> fpn.getOutputShapes(new Shape[] {new Shape(1, 128, 8, 8)}))
                .hasMessageContaining("expected 3 input shapes");
    }
}
