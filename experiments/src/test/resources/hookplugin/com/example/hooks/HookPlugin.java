package com.example.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.config.HookConfig;
import org.retinanet.api.spi.HookFactory;
import org.retinanet.api.spi.RetinanetPlugin;
import org.retinanet.api.train.StepOutcome;
import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;

/**
 * A third-party hook plugin, compiled by a test into a jar outside the class path: an EMA of the
 * weights (mmdetection's EMAHook: ema = (1 - m) * ema + m * w after every step, kept across
 * restarts through the checkpoint) and early stopping after a number of iterations.
 */
public final class HookPlugin implements RetinanetPlugin {

    public record EmaConfig(Double momentum) implements HookConfig {
        public EmaConfig {
            momentum = momentum == null ? 0.0002 : momentum;
            if (momentum <= 0 || momentum > 1) {
                throw new IllegalArgumentException("ema.momentum must be in (0, 1], got " + momentum);
            }
        }
    }

    public record StopAfterConfig(Long iterations) implements HookConfig {}

    @Override
    public List<HookFactory<?>> hooks() {
        return List.of(
                new HookFactory<EmaConfig>() {
                    public String id() {
                        return "ema";
                    }

                    public Class<EmaConfig> configType() {
                        return EmaConfig.class;
                    }

                    public String description() {
                        return "exponential moving average of the weights (test plugin)";
                    }

                    public TrainingHook create(EmaConfig c) {
                        return new Ema(c.momentum().floatValue());
                    }
                },
                new HookFactory<StopAfterConfig>() {
                    public String id() {
                        return "stop_after";
                    }

                    public Class<StopAfterConfig> configType() {
                        return StopAfterConfig.class;
                    }

                    public TrainingHook create(StopAfterConfig c) {
                        return new TrainingHook() {
                            @Override
                            public void afterStep(TrainingContext run, StepOutcome step) {
                                if (run.iteration() >= c.iterations()) {
                                    run.finishEarly("stop_after reached iteration " + run.iteration());
                                }
                            }
                        };
                    }
                });
    }

    static final class Ema implements TrainingHook {
        private final float momentum;
        private final Map<String, NDArray> average = new LinkedHashMap<>();

        Ema(float momentum) {
            this.momentum = momentum;
        }

        @Override
        public void beforeTrain(TrainingContext run) {
            if (average.isEmpty()) {
                run.weights().forEach((k, w) -> {
                    if (w.getDataType() == DataType.FLOAT32) {
                        keep(run, k, w);
                    }
                });
            }
        }

        @Override
        public void afterStep(TrainingContext run, StepOutcome step) {
            double squared = 0;
            // results land in their operand's manager (the run's): a scratch manager frees them
            try (NDManager scratch = run.manager().newSubManager()) {
                for (Map.Entry<String, NDArray> e : run.weights().entrySet()) {
                    NDArray ema = average.get(e.getKey());
                    if (ema == null) {
                        continue;
                    }
                    NDArray scaled = e.getValue().mul(momentum);
                    scaled.attach(scratch);
                    ema.muli(1 - momentum).addi(scaled);
                    NDArray difference = ema.sub(e.getValue());
                    difference.attach(scratch);
                    squared += difference.square().sum().getFloat();
                }
            }
            run.scalar("ema/distance", Math.sqrt(squared));
        }

        @Override
        public Map<String, NDArray> state() {
            return average;
        }

        @Override
        public void loadState(Map<String, NDArray> state) {
            average.clear();
            average.putAll(state);
        }

        private void keep(TrainingContext run, String key, NDArray weight) {
            NDArray copy = weight.duplicate();
            copy.attach(run.manager());
            average.put(key, copy);
        }
    }
}
