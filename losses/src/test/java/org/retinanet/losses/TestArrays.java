package org.retinanet.losses;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Small helpers for the loss tests. */
public final class TestArrays {

    private TestArrays() {}

    /** The arrays of an .npz file by name. */
    public static Map<String, NDArray> loadNpz(NDManager manager, Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            return byName;
        }
    }

    public static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** |actual - expected| <= atol + rtol |expected| element-wise, with the first failure named. */
    public static void assertClose(double[] actual, double[] expected, double rtol, double atol, String what) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%s[%d]: actual %s, expected %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tol);
        }
    }

    public static void assertAllFinite(NDArray a, String what) {
        for (double v : doubles(a)) {
            assertThat(Double.isFinite(v))
                    .as(what + " has a non-finite value " + v)
                    .isTrue();
        }
    }
}
