package org.retinanet.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TensorCopy on the real engine: values bit for bit, and the destination keeps its own storage. */
class TensorCopyTest {

    NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void copiesBitForBitIntoTheDestinationsOwnStorage() {
        float[] values = {1.5f, -0.0f, Float.NaN, Float.MIN_VALUE, -3e38f, Float.POSITIVE_INFINITY};
        NDArray source = manager.create(values, new Shape(2, 3));
        NDArray destination = manager.zeros(new Shape(2, 3));
        destination.setRequiresGradient(true); // as a model parameter is
        NDArray view = destination.get(new NDIndex(":")); // shares the destination's storage

        TensorCopy.into(destination, source);

        int[] expected = bits(values);
        assertThat(bits(destination.toFloatArray())).containsExactly(expected);
        assertThat(bits(view.toFloatArray()))
                .as("a view of the destination sees the copy: its storage was written, not replaced")
                .containsExactly(expected);
        assertThat(destination.hasGradient()).isTrue();
    }

    @Test
    void convertsTheTypeAndCopiesScalars() {
        NDArray destination = manager.zeros(new Shape(3));
        TensorCopy.into(destination, manager.create(new double[] {0.25, -2, 7}));
        assertThat(destination.toFloatArray()).containsExactly(0.25f, -2f, 7f);
        assertThat(destination.getDataType()).isEqualTo(DataType.FLOAT32);

        NDArray scalar = manager.create(0L);
        TensorCopy.into(scalar, manager.create(41L));
        assertThat(scalar.getLong()).isEqualTo(41L);
    }

    @Test
    void refusesAnotherShape() {
        assertThatThrownBy(() -> TensorCopy.into(manager.zeros(new Shape(2, 3)), manager.zeros(new Shape(3, 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(3, 2)");
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
