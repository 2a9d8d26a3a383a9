package org.retinanet.experiments.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;
import org.retinanet.experiments.config.Experiment;

/**
 * The sparse shapes benchmark is in the paper's regime (at least 1,000 negative anchors per
 * positive over its whole training set, with its own anchors and assigner), and the dense shapes
 * preset is not: the measurement tells the two apart.
 */
class AnchorImbalanceTest {

    private final Registry registry = Registry.create(List.of());

    @Test
    void theSparseBenchmarkHasOverAThousandNegativesPerPositive() {
        Experiment sparse = Experiment.load("retinanet_r18_fpn_sparse_shapes", List.of(), registry);
        AnchorImbalance.Result r = AnchorImbalance.measure(sparse, registry, Integer.MAX_VALUE);
        assertThat(r.images()).isEqualTo(192);
        // P3-P7 at 128 px: (16^2 + 8^2 + 4^2 + 2^2 + 1^2) locations x 9 anchors
        assertThat(r.anchorsPerImage()).isEqualTo(341 * 9);
        assertThat(r.positives()).isPositive();
        assertThat(r.positives() + r.negatives() + r.ignored()).isEqualTo(192L * 341 * 9);
        assertThat(r.negativesPerPositive()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void theDenseShapesPresetIsFarFromIt() {
        Experiment dense = Experiment.load("retinanet_r18_fpn_shapes", List.of(), registry);
        AnchorImbalance.Result r = AnchorImbalance.measure(dense, registry, 64);
        assertThat(r.images()).isEqualTo(64);
        assertThat(r.anchorsPerImage()).isEqualTo((8 * 8 + 4 * 4 + 2 * 2) * 9);
        assertThat(r.negativesPerPositive()).isLessThan(100);
        assertThat(r.summary()).contains("756 anchors per image").contains("fg:bg = 1:");
    }

    @Test
    void aNonPositiveImageCountIsRefused() {
        Experiment sparse = Experiment.load("retinanet_r18_fpn_sparse_shapes", List.of(), registry);
        assertThatThrownBy(() -> AnchorImbalance.measure(sparse, registry, 0))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("must be >= 1, got 0");
    }
}
