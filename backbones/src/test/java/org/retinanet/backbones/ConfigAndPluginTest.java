package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.spi.BackboneFactory;
import org.retinanet.api.spi.Kind;
import org.retinanet.api.spi.RetinanetPlugin;

class ConfigAndPluginTest {

    @Test
    void pluginIsFoundWithBothFactories() {
        List<BackboneFactory<?>> factories = ServiceLoader.load(RetinanetPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p instanceof BackbonesPlugin)
                .findFirst()
                .orElseThrow()
                .backbones();
        assertThat(factories).extracting(BackboneFactory::id).containsExactly("resnet", "resnext");
        assertThat(factories).extracting(BackboneFactory::kind).containsOnly(Kind.BACKBONE);
        assertThat(factories)
                .extracting(f -> (Object) f.configType())
                .containsExactly(ResNetConfig.class, ResNeXtConfig.class);
    }

    @Test
    void defaultsAreMmdetectionRetinaNetSettings() {
        ResNetConfig c = ResNetConfig.defaults();
        assertThat(c.depth()).isEqualTo(50);
        assertThat(c.style()).isEqualTo(Style.PYTORCH);
        assertThat(c.outIndices()).containsExactly(0, 1, 2, 3);
        assertThat(c.frozenStages()).isEqualTo(1);
        assertThat(c.normEval()).isTrue();
        assertThat(c.norm()).isEqualTo(NormType.BN);
        assertThat(c.normGroups()).isEqualTo(32);
        assertThat(c.normAffineTrainable()).isTrue();
        assertThat(c.zeroInitResidual()).isTrue();
        assertThat(c.init().checkpoint()).isNull();
        assertThat(c.init().strict()).isTrue();
        ResNeXtConfig x = ResNeXtConfig.of(101, 64, 4);
        assertThat(x.frozenStages()).isEqualTo(1);
        assertThat(new ResNeXtConfig(null, null, null, null, null, null, null, null, null, null, null, null, null))
                .extracting(ResNeXtConfig::depth, ResNeXtConfig::groups, ResNeXtConfig::baseWidth)
                .containsExactly(101, 32, 4);
        // mmdetection's caffe configs freeze every BN affine; frozen BN never trains
        assertThat(new ResNetConfig(50, Style.CAFFE, null, null, null, null, null, null, null, null, null)
                        .normAffineTrainable())
                .isFalse();
        assertThat(new ResNetConfig(50, null, null, null, null, NormType.FROZEN_BN, null, null, null, null, null)
                        .normAffineTrainable())
                .isFalse();
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> ResNetConfig.defaults().withDepth(77))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("depth: 77 is not one of 18, 34, 50, 101, 152");
        assertThatThrownBy(() -> ResNeXtConfig.of(18, 32, 4))
                .hasMessageStartingWith("depth: 18 is not one of 50, 101, 152");
        assertThatThrownBy(() ->
                        new ResNetConfig(null, null, List.of(2, 1), null, null, null, null, null, null, null, null))
                .hasMessageStartingWith("outIndices: [2, 1]");
        assertThatThrownBy(
                        () -> new ResNetConfig(null, null, List.of(4), null, null, null, null, null, null, null, null))
                .hasMessageStartingWith("outIndices: [4]");
        assertThatThrownBy(() -> new ResNetConfig(null, null, null, 5, null, null, null, null, null, null, null))
                .hasMessageStartingWith("frozenStages: 5");
        assertThatThrownBy(() -> new ResNetConfig(
                        null, null, null, null, null, NormType.FROZEN_BN, null, null, true, null, null))
                .hasMessageStartingWith("normAffineTrainable: true contradicts norm frozen_bn");
        assertThatThrownBy(() -> new ResNetConfig(null, null, null, null, null, null, null, -1e-5, null, null, null))
                .hasMessage("normEps: must be a finite number >= 0, got -1.0E-5");
        assertThatThrownBy(() -> ResNeXtConfig.of(101, 0, 4)).hasMessage("groups: must be positive, got 0");
        assertThatThrownBy(() -> new InitConfig(" ", null)).hasMessageStartingWith("init.checkpoint:");
        assertThatThrownBy(() -> new InitConfig("torchvision://resnet18", null))
                .hasMessageStartingWith("init.checkpoint 'torchvision://resnet18': download URLs are not fetched");
        // only the architecture shows that the groups do not fit: bad input (exit 2), naming the key
        assertThatThrownBy(() -> Backbones.build(
                        new ResNetConfig(18, null, null, null, null, NormType.GN, 48, null, null, null, null)))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("model.backbone.normGroups: 48 groups do not divide the 64 channels");
    }

    @Test
    void readsFromJsonWithItsTypeIdAndRejectsUnknownKeys() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerSubtypes(
                new NamedType(ResNetConfig.class, "resnet"), new NamedType(ResNeXtConfig.class, "resnext"));
        BackboneConfig c = mapper.readValue("""
                {"type": "resnet", "depth": 101, "style": "caffe", "norm": "frozen_bn", "outIndices": [1, 2, 3],
                 "init": {"checkpoint": "resnet101_msra.pth", "strict": false}}""", BackboneConfig.class);
        assertThat(c)
                .isEqualTo(new ResNetConfig(
                        101,
                        Style.CAFFE,
                        List.of(1, 2, 3),
                        1,
                        true,
                        NormType.FROZEN_BN,
                        32,
                        null,
                        false,
                        true,
                        new InitConfig("resnet101_msra.pth", false)));
        BackboneConfig x = mapper.readValue("{\"type\": \"resnext\", \"groups\": 64}", BackboneConfig.class);
        assertThat(x).isEqualTo(ResNeXtConfig.of(101, 64, 4));
        assertThatThrownBy(() -> mapper.readValue("{\"type\": \"resnet\", \"dept\": 50}", BackboneConfig.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("dept");
        assertThatThrownBy(() -> mapper.readValue("{\"type\": \"resnet\", \"norm\": \"syncbn\"}", BackboneConfig.class))
                .isInstanceOf(InvalidFormatException.class)
                .hasMessageContaining("syncbn");
        // the resolved config serialises back to the same record
        assertThat(mapper.readValue(mapper.writerFor(BackboneConfig.class).writeValueAsString(c), BackboneConfig.class))
                .isEqualTo(c);
    }

    @Test
    void platformRegistryBuildsBothFromYaml() throws Exception {
        Registry registry = Registry.create(List.of());
        BackboneConfig config = registry.mapper().readValue("""
                type: resnext
                depth: 101
                groups: 64
                baseWidth: 4
                outIndices: [1, 2, 3]
                """, BackboneConfig.class);
        assertThat(config)
                .isEqualTo(new ResNeXtConfig(
                        101, 64, 4, null, List.of(1, 2, 3), null, null, null, null, null, null, null, null));
        Backbone backbone = registry.backbone(config);
        assertThat(backbone.outputFeatures()).extracting(FeatureSpec::channels).containsExactly(512, 1024, 2048);
        assertThat(registry.idOf(config)).isEqualTo("resnext");
        assertThat(registry.backbone(registry.mapper().readValue("type: resnet\ndepth: 18\n", BackboneConfig.class)))
                .isInstanceOf(ResNet.class);
    }

    @Test
    void outputFeaturesFollowOutIndicesAndTheBlockType() {
        assertThat(Backbones.build(ResNetConfig.defaults().withDepth(18)).outputFeatures())
                .containsExactly(
                        new FeatureSpec("C2", 64, 4),
                        new FeatureSpec("C3", 128, 8),
                        new FeatureSpec("C4", 256, 16),
                        new FeatureSpec("C5", 512, 32));
        assertThat(new ResNeXtFactory().create(ResNeXtConfig.of(101, 64, 4)).outputFeatures())
                .containsExactly(
                        new FeatureSpec("C2", 256, 4),
                        new FeatureSpec("C3", 512, 8),
                        new FeatureSpec("C4", 1024, 16),
                        new FeatureSpec("C5", 2048, 32));
        ResNet c3c5 = Backbones.build(
                new ResNetConfig(50, null, List.of(1, 2, 3), null, null, null, null, null, null, null, null));
        assertThat(c3c5.outputFeatures()).extracting(FeatureSpec::name).containsExactly("C3", "C4", "C5");
        assertThat(c3c5.getOutputShapes(new Shape[] {new Shape(2, 3, 97, 130)}))
                .containsExactly(new Shape(2, 512, 13, 17), new Shape(2, 1024, 7, 9), new Shape(2, 2048, 4, 5));
    }

    @Test
    void forwardShapesEqualTheDeclaredOutputShapes() {
        ResNet backbone = Backbones.build(
                new ResNetConfig(18, null, List.of(1, 3), null, null, null, null, null, null, null, null));
        Shape input = new Shape(1, 3, 45, 67);
        try (NDManager manager = NDManager.newBaseManager()) {
            backbone.initialize(manager, DataType.FLOAT32, input);
            NDList out = Backbones.forward(backbone, manager, manager.randomNormal(input), false);
            assertThat(out.getShapes()).containsExactly(backbone.getOutputShapes(new Shape[] {input}));
            assertThatThrownBy(
                            () -> Backbones.forward(backbone, manager, manager.zeros(new Shape(1, 1, 32, 32)), false))
                    .hasMessageContaining("expects images of shape (N, 3, H, W)");
        }
    }

    @Test
    void caffeStylePutsTheStrideOnTheFirstConvOfEachBottleneck() {
        ResNet pytorch = Backbones.build(ResNetConfig.defaults());
        ResNet caffe = Backbones.build(
                new ResNetConfig(50, Style.CAFFE, null, null, null, null, null, null, null, null, null));
        for (String stage : List.of("layer2", "layer3", "layer4")) {
            assertThat(stride(pytorch, stage + ".0.conv1")).isEqualTo(1);
            assertThat(stride(pytorch, stage + ".0.conv2")).isEqualTo(2);
            assertThat(stride(caffe, stage + ".0.conv1")).isEqualTo(2);
            assertThat(stride(caffe, stage + ".0.conv2")).isEqualTo(1);
            assertThat(stride(caffe, stage + ".0.downsample.0")).isEqualTo(2);
        }
        assertThat(pytorch.inputNormalization().bgr()).isFalse();
        assertThat(pytorch.inputNormalization().std()).containsExactly(58.395f, 57.12f, 57.375f);
        assertThat(caffe.inputNormalization().bgr()).isTrue();
        assertThat(caffe.inputNormalization().mean()).containsExactly(103.53f, 116.28f, 123.675f);
    }

    @Test
    void initialisationIsKaimingFanOutAndZeroInitResidual() {
        ResNet zeroInit = Backbones.build(ResNetConfig.defaults());
        ResNet plain =
                Backbones.build(new ResNetConfig(18, null, null, null, null, null, null, null, null, false, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            zeroInit.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            plain.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            var p = TorchNames.parameters(zeroInit);
            assertThat(p.get("layer1.0.bn3.weight").getArray().abs().sum().getFloat())
                    .isZero();
            assertThat(p.get("layer1.0.bn2.weight").getArray().min().getFloat()).isEqualTo(1f);
            assertThat(p.get("layer1.0.downsample.1.weight").getArray().min().getFloat())
                    .isEqualTo(1f);
            var q = TorchNames.parameters(plain);
            assertThat(q.get("layer1.0.bn2.weight").getArray().min().getFloat()).isEqualTo(1f);
            // std = sqrt(2 / fan_out), fan_out = out_channels * kh * kw (torchvision's kaiming_normal_)
            assertStd(q.get("conv1.weight").getArray(), Math.sqrt(2.0 / (64 * 49)));
            assertStd(q.get("layer4.0.conv2.weight").getArray(), Math.sqrt(2.0 / (512 * 9)));
            assertStd(p.get("layer4.0.conv2.weight").getArray(), Math.sqrt(2.0 / (512 * 9)));
        }
    }

    @Test
    void groupNormHasNoRunningStatistics() {
        ResNet gn = (ResNet) new ResNeXtFactory()
                .create(new ResNeXtConfig(
                        50, null, null, null, null, null, null, NormType.GN, null, null, null, null, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbones.initializeCheaply(gn, manager);
            assertThat(TorchNames.parameters(gn).keySet())
                    .noneMatch(k -> k.contains("running_"))
                    .contains("layer1.0.bn2.weight", "layer1.0.downsample.1.bias");
        }
    }

    @Test
    void importKeysOfOtherFlavours() {
        ResNet bn = Backbones.build(ResNetConfig.defaults());
        assertThat(bn.importKey(CheckpointKeys.TORCHVISION, "body.layer1.0.conv1.weight"))
                .isEqualTo("layer1.0.conv1.weight");
        assertThat(bn.importKey(CheckpointKeys.MMDET, "layer1.0.conv1.weight")).isEqualTo("layer1.0.conv1.weight");
        assertThat(bn.importKey(CheckpointKeys.TORCHVISION, "fc.weight")).isNull();
        ResNet gn = Backbones.build(
                new ResNetConfig(50, null, null, null, null, NormType.GN, null, null, null, null, null));
        assertThat(gn.importKey(CheckpointKeys.MMDET, "gn1.weight")).isEqualTo("bn1.weight");
        assertThat(gn.importKey(CheckpointKeys.MMDET, "layer2.0.gn3.bias")).isEqualTo("layer2.0.bn3.bias");
    }

    private static void assertStd(NDArray w, double expected) {
        double std = Math.sqrt(w.sub(w.mean()).square().mean().getFloat());
        assertThat(std).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(5));
    }

    private static long stride(Block root, String path) {
        Block block = root;
        for (String name : path.split("\\.")) {
            block = block.getChildren().stream()
                    .filter(c -> TorchNames.childName(c.getKey()).equals(name))
                    .map(Pair::getValue)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no child " + path));
        }
        return ((Conv2d) block).getStride().get(0);
    }
}
