package org.retinanet.datasets.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * summarize() averages with numpy's float64 mean; the expected values are numpy 1.24's own
 * output for x = ((arange(n) * 7919) % 10007) / 10007.0 (repr of np.mean(x)), covering the
 * plain loop, the pairwise blocks and the 8192-element buffering (COCO's AP averages 80,800).
 */
class CocoEvalNumpyMeanTest {

    @ParameterizedTest
    @CsvSource({"100, 0.5016298590986308", "8193, 0.5000411343940115", "80800, 0.4999490715410104"})
    void meanIsBitIdenticalToNumpy(int n, double numpyMean) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = ((i * 7919L) % 10007) / 10007.0;
        }
        assertThat(NumpyMean.mean(x, n)).isEqualTo(numpyMean);
    }
}
