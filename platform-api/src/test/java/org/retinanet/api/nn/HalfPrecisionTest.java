package org.retinanet.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * bfloat16 without a bfloat16 type in DJL's JNI: {@link HalfPrecision#cast} makes real libtorch
 * bfloat16 arrays (round to nearest even, as torch does), cut from autograd; {@link
 * HalfPrecision#toFloat32} brings them back exactly and differentiably.
 */
class HalfPrecisionTest {

    private static final float[] VALUES = {
        0f,
        -0f,
        1f,
        -2.5f,
        1.00390625f /* 1 + 2^-8: a tie, to even (1) */,
        1.01171875f /* 1 + 3 * 2^-8: up */,
        3.14159265f,
        1e-20f,
        -6.5e4f,
        3.0e38f
    };

    @Test
    void bfloat16CopiesRoundToNearestEvenAndComeBackExactly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(VALUES);
            x.setName("backbone.conv1.weight"); // DJL routes dotted names to other script methods
            NDArray bf16 = HalfPrecision.cast(x, DataType.BFLOAT16);

            assertThat(bf16.getDataType()).as("what DJL reports").isEqualTo(DataType.UNKNOWN);
            assertThat(HalfPrecision.dataType(bf16)).isEqualTo(DataType.BFLOAT16);
            assertThat(HalfPrecision.isHalf(bf16)).isTrue();
            assertThat(HalfPrecision.cast(bf16, DataType.BFLOAT16)).isSameAs(bf16);
            float[] back = HalfPrecision.toFloat32(bf16).toFloatArray();
            for (int i = 0; i < VALUES.length; i++) {
                assertThat(back[i]).as("bf16(%s)", VALUES[i]).isEqualTo(roundToBfloat16(VALUES[i]));
            }
            assertThat(back[4]).isEqualTo(1f);
            assertThat(back[5]).isEqualTo(1.015625f);
            assertThat(bf16.toType(DataType.FLOAT32, false).toFloatArray()).isEqualTo(back);
        }
    }

    @Test
    void float16AndFloat32GoThroughToType() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(VALUES);
            assertThat(HalfPrecision.cast(x, DataType.FLOAT32)).isSameAs(x);
            NDArray half = HalfPrecision.cast(x, DataType.FLOAT16);
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(HalfPrecision.isHalf(half)).isTrue();
            assertThat(HalfPrecision.isHalf(x)).isFalse();
        }
    }

    /** A bfloat16 copy is a leaf of its own: gradients reach it, through toFloat32, and not its source. */
    @Test
    void aBfloat16CopyIsALeafThatTakesGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray source = manager.create(new float[] {1f, 2f, 3f});
            source.setRequiresGradient(true);
            NDArray leaf = HalfPrecision.cast(source, DataType.BFLOAT16);
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = HalfPrecision.toFloat32(leaf);
                assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
                gc.backward(y.mul(y).sum());
            }
            NDArray g = leaf.getGradient();
            assertThat(HalfPrecision.dataType(g)).isEqualTo(DataType.BFLOAT16);
            assertThat(g.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(2f, 4f, 6f);
            assertThat(source.getGradient().toFloatArray()).containsExactly(0f, 0f, 0f);
        }
    }

    /** torch's float32 to bfloat16: round to nearest, ties to even, on the upper 16 bits. */
    private static float roundToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }
}
