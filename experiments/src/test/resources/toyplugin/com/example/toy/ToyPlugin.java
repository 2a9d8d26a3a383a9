package com.example.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.List;
import org.retinanet.api.config.BackboneConfig;
import org.retinanet.api.config.ClassificationLossConfig;
import org.retinanet.api.data.InputNormalization;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.FeatureSpec;
import org.retinanet.api.spi.BackboneFactory;
import org.retinanet.api.spi.ClassificationLossFactory;
import org.retinanet.api.spi.RetinanetPlugin;

/**
 * A third-party plugin, compiled by the test into a jar that is not on the class path: a toy
 * backbone (three strided convolutions giving C3..C5) and a toy classification loss.
 */
public final class ToyPlugin implements RetinanetPlugin {

    public record ToyBackboneConfig(Integer width) implements BackboneConfig {
        public ToyBackboneConfig {
            width = width == null ? 8 : width;
        }
    }

    public record ToyLossConfig(Double scale) implements ClassificationLossConfig {
        public ToyLossConfig {
            scale = scale == null ? 1.0 : scale;
        }
    }

    @Override
    public List<BackboneFactory<?>> backbones() {
        return List.of(new BackboneFactory<ToyBackboneConfig>() {
            public String id() {
                return "toy_backbone";
            }

            public Class<ToyBackboneConfig> configType() {
                return ToyBackboneConfig.class;
            }

            public String description() {
                return "three strided convs (test plugin)";
            }

            public Backbone create(ToyBackboneConfig c) {
                return new ToyBackbone(c.width());
            }
        });
    }

    @Override
    public List<ClassificationLossFactory<?>> classificationLosses() {
        return List.of(new ClassificationLossFactory<ToyLossConfig>() {
            public String id() {
                return "toy_loss";
            }

            public Class<ToyLossConfig> configType() {
                return ToyLossConfig.class;
            }

            public String description() {
                return "sigmoid CE over non-ignored anchors (test plugin)";
            }

            public ClassificationLoss create(ToyLossConfig c) {
                return in -> {
                    NDArray logits = in.logits();
                    long k = logits.getShape().get(2);
                    NDArray labels = in.labels();
                    NDArray valid = labels.gte(0).toType(DataType.FLOAT32, false);
                    NDArray target = labels.expandDims(2)
                            .eq(logits.getManager()
                                    .arange(0, (int) k, 1, DataType.INT32)
                                    .reshape(1, 1, k))
                            .toType(DataType.FLOAT32, false);
                    NDArray ce = logits.getNDArrayInternal()
                            .relu()
                            .sub(logits.mul(target))
                            .add(logits.abs().neg().exp().add(1).log());
                    return LossValue.of(ce.sum(new int[] {2})
                            .mul(valid)
                            .sum(new int[] {1})
                            .mul(c.scale().floatValue()));
                };
            }
        });
    }

    static final class ToyBackbone extends AbstractBlock implements Backbone {
        private final int width;
        private final Parameter[] weights = new Parameter[3];

        ToyBackbone(int width) {
            this.width = width;
            for (int i = 0; i < 3; i++) {
                weights[i] = addParameter(Parameter.builder()
                        .setName("conv" + (i + 3) + "_weight")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new NormalInitializer(0.1f))
                        .build());
            }
        }

        public List<FeatureSpec> outputFeatures() {
            return List.of(
                    new FeatureSpec("C3", width, 8),
                    new FeatureSpec("C4", width * 2, 16),
                    new FeatureSpec("C5", width * 4, 32));
        }

        public InputNormalization inputNormalization() {
            return InputNormalization.pytorch();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDList out = new NDList();
            int[] strides = {8, 2, 2};
            for (int i = 0; i < 3; i++) {
                NDArray w = ps.getValue(weights[i], x.getDevice(), training);
                x = ai.djl.nn.convolutional.Conv2d.conv2d(
                                x, w, null, new Shape(strides[i], strides[i]), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow()
                        .getNDArrayInternal()
                        .relu();
                out.add(x);
            }
            return out;
        }

        @Override
        public void prepare(Shape[] inputShapes) {
            weights[0].setShape(new Shape(width, 3, 3, 3));
            weights[1].setShape(new Shape(width * 2, width, 3, 3));
            weights[2].setShape(new Shape(width * 4, width * 2, 3, 3));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            long n = in[0].get(0);
            long h = in[0].get(2);
            long w = in[0].get(3);
            return new Shape[] {
                new Shape(n, width, h / 8, w / 8),
                new Shape(n, width * 2, h / 16, w / 16),
                new Shape(n, width * 4, h / 32, w / 32)
            };
        }
    }
}
