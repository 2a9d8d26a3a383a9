package org.retinanet.heads.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Post-processing picks its candidates in either order (threshold or top-k first) by cost; both
 * must pick the same pairs.
 */
class TopAboveThresholdTest {

    @ParameterizedTest
    @CsvSource({"0.05, 1000", "0.5, 1000", "0.9, 50", "0.05, 20000"})
    void bothOrdersSelectTheSamePairsInTheSameOrder(float thr, int k) {
        Random r = new Random(11);
        float[] scores = new float[20000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = r.nextFloat();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray flat = m.create(scores);
            NDList a = DetectionPostProcessor.topKThenThreshold(flat, thr, k);
            NDList b = DetectionPostProcessor.thresholdThenTopK(flat, flat.gt(thr), k);
            assertThat(b.get(0).toFloatArray()).containsExactly(a.get(0).toFloatArray());
            // top-k orders equal scores as it likes (torch's topk as well): the same pairs, scores in order
            assertThat(b.get(1).toType(DataType.INT64, false).toLongArray())
                    .containsExactlyInAnyOrder(
                            a.get(1).toType(DataType.INT64, false).toLongArray());
            long expected = Math.min(
                    k,
                    java.util.stream.IntStream.range(0, scores.length)
                            .filter(i -> scores[i] > thr)
                            .count());
            assertThat(a.get(0).getShape().get(0)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @CsvSource({"0.05, 1000, uniform", "0.05, 1000, sigmoid", "0.5, 1000, sigmoid", "0.05, 200, ties"})
    void sampledTopKIsExactWhenItAnswers(float thr, int k, String distribution) {
        Random r = new Random(5);
        float[] scores = new float[400_000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = switch (distribution) {
                case "uniform" -> r.nextFloat();
                case "sigmoid" -> (float) (1 / (1 + Math.exp(-(r.nextGaussian() * 2 - 2))));
                default -> r.nextInt(50) / 50f; // many equal scores at the cut
            };
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray flat = m.create(scores);
            NDList sampled = DetectionPostProcessor.sampledTopK(flat, thr, k);
            NDList plain = DetectionPostProcessor.topKThenThreshold(flat, thr, k);
            assertThat(sampled)
                    .as("the sample's cut leaves at least k scores here")
                    .isNotNull();
            assertThat(sampled.get(0).toFloatArray())
                    .containsExactly(plain.get(0).toFloatArray());
            if (!distribution.equals("ties")) {
                assertThat(sampled.get(1).toType(DataType.INT64, false).toLongArray())
                        .containsExactlyInAnyOrder(
                                plain.get(1).toType(DataType.INT64, false).toLongArray());
            }
        }
    }

    @Test
    void sampledTopKDeclinesWhenTooFewScoresPassItsCut() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] scores = new float[200_000];
            scores[7] = 0.9f; // one high score, the rest 0: the cut (0) is not above the threshold
            assertThat(DetectionPostProcessor.sampledTopK(m.create(scores), 0.05f, 1000))
                    .isNull();
            assertThat(DetectionPostProcessor.sampledTopK(m.create(new float[1000]), 0.05f, 1000))
                    .isNull(); // small level
        }
    }
}
