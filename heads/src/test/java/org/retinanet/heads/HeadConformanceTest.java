package org.retinanet.heads;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinanet.api.box.modules.AnchorGeneratorConfig;
import org.retinanet.api.loss.LossNormalization;
import org.retinanet.api.model.CheckpointKeys;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.model.HeadContext;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.TorchNames;

/** Head forward vs torchvision 0.14's RetinaNetHead with the same random weights and features. */
class HeadConformanceTest {

    static RetinaHead head(String norm, int channels, int numClasses, List<Integer> strides) {
        return head(
                norm,
                channels,
                numClasses,
                strides,
                RetinaHeadConfig.torchvision().test(),
                new LossNormalization(LossNormalization.PER_IMAGE, null, null));
    }

    /** A head with torchvision's anchors, assigner and coder, and the given test config and normalisation. */
    static RetinaHead head(
            String norm,
            int channels,
            int numClasses,
            List<Integer> strides,
            RetinaHeadConfig.Test test,
            LossNormalization normalization) {
        List<FeatureSpec> inputs = new ArrayList<>();
        for (int i = 0; i < strides.size(); i++) {
            inputs.add(new FeatureSpec("P" + (i + 3), channels, strides.get(i)));
        }
        RetinaHeadConfig tv = RetinaHeadConfig.torchvision();
        AnchorGeneratorConfig a = (AnchorGeneratorConfig) tv.anchors();
        RetinaHeadConfig config = new RetinaHeadConfig(
                null,
                channels,
                norm,
                null,
                null,
                null,
                new AnchorGeneratorConfig(
                        a.octaveBaseScale(),
                        a.scalesPerOctave(),
                        a.ratios(),
                        strides,
                        a.centerOffset(),
                        a.sizes(),
                        a.truncateSizes(),
                        a.roundBaseAnchors(),
                        a.stridesFromImageSize(),
                        a.paddingMask(),
                        a.paddingDivisor()),
                tv.assigner(),
                tv.coder(),
                test);
        return new RetinaHead(
                config,
                new HeadContext(numClasses, inputs, new LocalLosses.Focal(), new LocalLosses.L1(), normalization));
    }

    /** Copies torchvision-keyed arrays into the head's parameters; returns how many were loaded. */
    static int load(RetinaHead head, Map<String, NDArray> arrays) {
        Map<String, Parameter> params = TorchNames.parameters(head);
        int loaded = 0;
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            if (!e.getKey().contains("_head.")) {
                continue;
            }
            String ours = head.importKey(CheckpointKeys.TORCHVISION, e.getKey());
            Parameter p = params.get(ours);
            assertThat(p).as("parameter for " + e.getKey() + " -> " + ours).isNotNull();
            assertThat(p.getArray().getShape()).as(ours).isEqualTo(e.getValue().getShape());
            p.getArray().set(e.getValue().toFloatArray());
            loaded++;
        }
        return loaded;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void outputsEqualTorchvision(String version) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = TestArrays.npz(m, "head_" + version + ".npz");
            RetinaHead head = head(version.equals("v1") ? "none" : "gn", 32, 5, List.of(8, 16, 32));
            NDList feats = new NDList(f.get("feat0"), f.get("feat1"), f.get("feat2"));
            head.initialize(m, DataType.FLOAT32, feats.getShapes());
            int loaded = load(head, f);
            assertThat(loaded).isEqualTo(TorchNames.parameters(head).size());

            NDList out = head.forward(new ParameterStore(m, false), feats, false);
            assertThat(out).hasSize(6);
            HeadOutput maps = new HeadOutput(out);
            NDArray cls = NDArrays.concat(new NDList(maps.flatClassification(head.anchorsPerLocation())), 1);
            NDArray box = NDArrays.concat(new NDList(maps.flatRegression(head.anchorsPerLocation())), 1);
            assertClose(cls, f.get("cls_logits"), 1e-4);
            assertClose(box, f.get("bbox_regression"), 1e-4);
        }
    }

    static void assertClose(NDArray actual, NDArray expected, double tol) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float maxDiff = actual.sub(expected).abs().max().getFloat();
        float scale = expected.abs().max().getFloat();
        assertThat((double) maxDiff)
                .as("max abs difference (values up to %s)", scale)
                .isLessThan(tol * Math.max(1, scale));
    }
}
