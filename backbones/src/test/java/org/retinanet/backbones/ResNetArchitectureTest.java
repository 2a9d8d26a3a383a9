package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.retinanet.api.model.TorchNames;

/** Our parameter names, shapes and counts equal torchvision's (fixture: architectures.json, from torchvision 0.14). */
class ResNetArchitectureTest {

    private static JsonNode architectures;

    @BeforeAll
    static void readFixture() throws IOException {
        architectures = new ObjectMapper()
                .readTree(Backbones.fixture("architectures.json").toFile());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "resnet18, resnet, 18, 1, 64",
        "resnet34, resnet, 34, 1, 64",
        "resnet50, resnet, 50, 1, 64",
        "resnet101, resnet, 101, 1, 64",
        "resnet152, resnet, 152, 1, 64",
        "resnext50_32x4d, resnext, 50, 32, 4",
        "resnext101_32x4d, resnext, 101, 32, 4",
        "resnext101_64x4d, resnext, 101, 64, 4",
        "resnext101_32x8d, resnext, 101, 32, 8",
        "resnext152_32x4d, resnext, 152, 32, 4",
    })
    void keysShapesAndCountMatchTorchvision(String name, String type, int depth, int groups, int baseWidth) {
        ResNet backbone = type.equals("resnet")
                ? Backbones.build(Backbones.resnet(depth, null, null, null, null, null))
                : (ResNet) new ResNeXtFactory().create(ResNeXtConfig.of(depth, groups, baseWidth));
        JsonNode expected = architectures.get(name);
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbones.initializeCheaply(backbone, manager);
            List<String> ours = new ArrayList<>();
            for (Map.Entry<String, Parameter> e :
                    TorchNames.parameters(backbone).entrySet()) {
                ours.add(e.getKey() + " " + e.getValue().getShape());
            }
            List<String> torchvision = new ArrayList<>();
            for (JsonNode entry : expected.get("keys")) {
                StringBuilder shape = new StringBuilder("(");
                for (int i = 0; i < entry.get(1).size(); i++) {
                    shape.append(i == 0 ? "" : ", ").append(entry.get(1).get(i).asLong());
                }
                torchvision.add(entry.get(0).asText() + " " + shape + ")");
            }
            assertThat(ours).containsExactlyElementsOf(torchvision);
            assertThat(backbone.parameterCount())
                    .isEqualTo(expected.get("parameters").asLong());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet50, 23508032"})
    void resnet50WithoutClassifierHasTheDocumentedCount(String name, long count) {
        assertThat(architectures.get(name).get("parameters").asLong()).isEqualTo(count);
    }
}
