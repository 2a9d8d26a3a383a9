package org.retinanet.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.retinanet.api.model.TorchNames;

/** GroupNorm2d against its definition (computed here in double), its torch keys and its per-step memory. */
class GroupNorm2dTest {

    NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private GroupNorm2d initialized(GroupNorm2d.Builder builder, Shape input) {
        GroupNorm2d gn = builder.build();
        gn.initialize(manager, DataType.FLOAT32, input);
        return gn;
    }

    @Test
    void normalisesEachGroupOfEachSampleThenAppliesThePerChannelAffine() {
        int n = 2;
        int c = 6;
        int hw = 5;
        int groups = 3;
        float eps = 1e-5f;
        GroupNorm2d gn = initialized(GroupNorm2d.builder().setGroups(groups).setChannels(c), new Shape(n, c, 1, hw));
        Map<String, Parameter> p = TorchNames.parameters(gn);
        float[] w = {0.5f, 1f, 1.5f, 2f, -1f, 3f};
        float[] b = {0f, 0.1f, -0.2f, 0.3f, 1f, -1f};
        p.get("weight").getArray().set(w);
        p.get("bias").getArray().set(b);
        NDArray x = manager.randomNormal(0, 3, new Shape(n, c, 1, hw), DataType.FLOAT32)
                .add(2);
        float[] out = gn.forward(new ParameterStore(manager, false), new NDList(x), true)
                .singletonOrThrow()
                .toFloatArray();

        float[] in = x.toFloatArray();
        int perGroup = c / groups * hw;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int from = (s * groups + g) * perGroup;
                double mean = 0;
                double var = 0;
                for (int i = from; i < from + perGroup; i++) {
                    mean += in[i] / (double) perGroup;
                }
                for (int i = from; i < from + perGroup; i++) {
                    var += (in[i] - mean) * (in[i] - mean) / perGroup; // biased, as torch
                }
                for (int i = from; i < from + perGroup; i++) {
                    int channel = i / hw % c;
                    double expected = (in[i] - mean) / Math.sqrt(var + eps) * w[channel] + b[channel];
                    assertThat((double) out[i]).as("element %d", i).isCloseTo(expected, within(1e-5));
                }
            }
        }
    }

    @Test
    void parametersAreTorchsWeightAndBias() {
        Shape input = new Shape(1, 4, 2, 2);
        GroupNorm2d.Builder builder = GroupNorm2d.builder().setGroups(2).setChannels(4);
        Map<String, Parameter> p = TorchNames.parameters(initialized(builder, input));
        assertThat(p.keySet()).containsExactly("weight", "bias");
        assertThat(p.get("weight").getArray().toFloatArray()).containsOnly(1f);
        assertThat(p.get("bias").getArray().toFloatArray()).containsOnly(0f);
        assertThat(p.get("weight").requiresGradient()).isTrue();

        builder.optAffineTrainable(false).optZeroInitWeight(true);
        Map<String, Parameter> frozen = TorchNames.parameters(initialized(builder, input));
        assertThat(frozen.get("weight").getArray().toFloatArray()).containsOnly(0f);
        assertThat(frozen.values()).noneMatch(Parameter::requiresGradient);
    }

    @Test
    void aStepInAChildManagerLeavesNothingInTheModelManager() {
        Shape input = new Shape(2, 4, 3, 3);
        GroupNorm2d gn = initialized(GroupNorm2d.builder().setGroups(2).setChannels(4), input);
        int before = manager.getManagedArrays().size();
        for (int step = 0; step < 3; step++) {
            try (NDManager stepManager = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray x = stepManager.randomNormal(input);
                collector.backward(gn.forward(new ParameterStore(stepManager, false), new NDList(x), true)
                        .head()
                        .sum());
            }
            assertThat(manager.getManagedArrays()).as("after step %d", step).hasSize(before);
        }
    }

    @Test
    void groupsMustDivideChannelsAndInputMustHaveThem() {
        assertThatThrownBy(
                        () -> GroupNorm2d.builder().setGroups(3).setChannels(8).build())
                .hasMessage("GroupNorm: 3 groups do not divide 8 channels");
        assertThatThrownBy(() -> GroupNorm2d.builder().setChannels(8).build())
                .hasMessage("GroupNorm: 0 groups do not divide 8 channels");
        GroupNorm2d gn = GroupNorm2d.builder().setGroups(2).setChannels(8).build();
        assertThatThrownBy(() -> gn.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 2, 2)))
                .hasMessage("GroupNorm expects 8 channels, got shape (1, 4, 2, 2)");
    }
}
