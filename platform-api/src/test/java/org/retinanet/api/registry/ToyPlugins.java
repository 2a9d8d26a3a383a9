package org.retinanet.api.registry;

import java.util.List;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.api.spi.ClassificationLossFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/** Small real plugins for registry tests (a classification loss needs no engine to construct). */
final class ToyPlugins {

    private ToyPlugins() {}

    record SumConfig(Double weight) implements ClassificationLossConfig {
        SumConfig {
            weight = weight == null ? 1.0 : weight;
            if (weight < 0) {
                throw new IllegalArgumentException("weight must be >= 0, got " + weight);
            }
        }
    }

    record OtherConfig(Integer k) implements ClassificationLossConfig {}

    static final class SumLossFactory implements ClassificationLossFactory<SumConfig> {
        private final String id;

        SumLossFactory(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Class<SumConfig> configType() {
            return SumConfig.class;
        }

        @Override
        public ClassificationLoss create(SumConfig config) {
            return in -> LossValue.of(in.logits().sum(new int[] {1, 2}).mul(config.weight()));
        }
    }

    static final class OtherFactory implements ClassificationLossFactory<OtherConfig> {
        @Override
        public String id() {
            return "other";
        }

        @Override
        public Class<OtherConfig> configType() {
            return OtherConfig.class;
        }

        @Override
        public ClassificationLoss create(OtherConfig config) {
            return in -> LossValue.of(in.logits().sum(new int[] {1, 2}));
        }
    }

    static RetinanetPlugin plugin(List<ClassificationLossFactory<?>> factories) {
        return new RetinanetPlugin() {
            @Override
            public List<ClassificationLossFactory<?>> classificationLosses() {
                return factories;
            }
        };
    }
}
