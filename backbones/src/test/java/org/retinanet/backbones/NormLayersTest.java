package org.retinanet.backbones;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.nn.HalfPrecision;
import org.retinanet.backbones.norm.BatchNorm2d;
import org.retinanet.backbones.norm.FrozenBatchNorm2d;
import org.retinanet.backbones.norm.NormLayer;

/**
 * Each norm layer against torch's on a tiny input whose running variances go down to 1e-6, so
 * eps 0 vs 1e-5 shows (fixture norm_layers.npz from scripts/fixtures/backbones_resnet.py).
 */
class NormLayersTest {

    private static final double TOLERANCE = 1e-5;

    private static <B extends Block> B loaded(B layer, Map<String, NDArray> ref, NDManager manager) {
        layer.initialize(manager, DataType.FLOAT32, ref.get("x").getShape());
        for (Map.Entry<String, Parameter> e : TorchNames.parameters(layer).entrySet()) {
            e.getValue().getArray().set(ref.get(e.getKey()).toByteBuffer());
        }
        return layer;
    }

    private static NDArray run(Block layer, NDManager manager, NDArray x, boolean training) {
        return layer.forward(new ai.djl.training.ParameterStore(manager, false), new ai.djl.ndarray.NDList(x), training)
                .singletonOrThrow();
    }

    @Test
    void frozenBatchNormWithBothEps() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "norm_layers.npz");
            NDArray x = ref.get("x");
            NormLayer eps0 = loaded(new FrozenBatchNorm2d(8, false, 0f), ref, manager);
            NormLayer eps5 = loaded(new FrozenBatchNorm2d(8, false, 1e-5f), ref, manager);
            assertThat(Backbones.relativeError(run(eps0, manager, x, true), ref.get("frozen_bn_eps0")))
                    .isLessThan(TOLERANCE);
            assertThat(Backbones.relativeError(run(eps5, manager, x, true), ref.get("frozen_bn_eps1e-5")))
                    .isLessThan(TOLERANCE);
            // the fixture really separates the two
            assertThat(Backbones.relativeError(ref.get("frozen_bn_eps0"), ref.get("frozen_bn_eps1e-5")))
                    .isGreaterThan(1e-2);
        }
    }

    /**
     * Half-precision input (the fixture's x rounded to float16 or bfloat16): both layers keep
     * float32 parameters and statistics, return the input's type, and agree with torch's float32
     * outputs to its rounding (bfloat16 keeps 8 bits of mantissa to float16's 11).
     */
    @ParameterizedTest
    @CsvSource({"FLOAT16, 5e-3", "BFLOAT16, 2e-2"})
    void halfInputKeepsFloat32StatisticsAndMatchesTorchToHalfRounding(DataType half, double halfTolerance)
            throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "norm_layers.npz");
            NDArray x = HalfPrecision.cast(ref.get("x"), half);
            NormLayer eps0 = loaded(new FrozenBatchNorm2d(8, false, 0f), ref, manager);
            NormLayer eps5 = loaded(new FrozenBatchNorm2d(8, false, 1e-5f), ref, manager);
            NDArray frozen0 = run(eps0, manager, x, true);
            assertThat(HalfPrecision.dataType(frozen0)).isEqualTo(half);
            assertThat(Backbones.relativeError(frozen0.toType(DataType.FLOAT32, false), ref.get("frozen_bn_eps0")))
                    .isLessThan(halfTolerance);
            assertThat(Backbones.relativeError(
                            run(eps5, manager, x, true).toType(DataType.FLOAT32, false), ref.get("frozen_bn_eps1e-5")))
                    .isLessThan(halfTolerance);

            NormLayer bn = loaded(new BatchNorm2d(8, false, true, false, 1e-5f), ref, manager);
            NDArray trained = run(bn, manager, x, true);
            assertThat(HalfPrecision.dataType(trained)).isEqualTo(half);
            assertThat(Backbones.relativeError(trained.toType(DataType.FLOAT32, false), ref.get("bn_train")))
                    .isLessThan(halfTolerance);
            Map<String, Parameter> p = TorchNames.parameters(bn);
            assertThat(p.get("running_mean").getArray().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(Backbones.relativeError(p.get("running_mean").getArray(), ref.get("bn_train_running_mean")))
                    .isLessThan(halfTolerance);
            assertThat(Backbones.relativeError(p.get("running_var").getArray(), ref.get("bn_train_running_var")))
                    .isLessThan(halfTolerance);
        }
    }

    @Test
    void batchNormEvalTrainingAndNormEval() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "norm_layers.npz");
            NDArray x = ref.get("x");
            NormLayer pinned = loaded(new BatchNorm2d(8, true, true, false, 1e-5f), ref, manager);
            assertThat(Backbones.relativeError(run(pinned, manager, x, true), ref.get("bn_eval")))
                    .isLessThan(TOLERANCE);
            NormLayer bn = loaded(new BatchNorm2d(8, false, true, false, 1e-5f), ref, manager);
            assertThat(Backbones.relativeError(run(bn, manager, x, false), ref.get("bn_eval")))
                    .isLessThan(TOLERANCE);
            assertThat(Backbones.relativeError(run(bn, manager, x, true), ref.get("bn_train")))
                    .isLessThan(TOLERANCE);
            Map<String, Parameter> p = TorchNames.parameters(bn);
            assertThat(Backbones.relativeError(p.get("running_mean").getArray(), ref.get("bn_train_running_mean")))
                    .isLessThan(TOLERANCE);
            assertThat(Backbones.relativeError(p.get("running_var").getArray(), ref.get("bn_train_running_var")))
                    .isLessThan(TOLERANCE);
            assertThat(TorchNames.parameters(pinned)
                            .get("running_var")
                            .getArray()
                            .contentEquals(ref.get("running_var")))
                    .isTrue();
        }
    }

    @Test
    void groupNorm() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = Backbones.npz(manager, "norm_layers.npz");
            // platform-api's GroupNorm2d as the backbone builds it
            NormOptions options = new NormOptions(NormType.GN, 4, false, true, 1e-5f);
            Block gn = loaded(options.create(8, false, false), ref, manager);
            assertThat(Backbones.relativeError(run(gn, manager, ref.get("x"), true), ref.get("gn4")))
                    .isLessThan(TOLERANCE);
        }
    }
}
