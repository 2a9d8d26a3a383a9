package org.retinanet.experiments.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code train.deterministic}, as mmdetection's {@code --deterministic} sets torch's switches:
 * deterministic cuDNN, no cuDNN benchmarking, deterministic algorithms. The previous state comes
 * back on close (the switches are per process, and tests run several trainings in one).
 */
public final class Determinism implements AutoCloseable {

    private final TorchContext context;
    private final boolean cudnn;
    private final boolean benchmark;
    private final boolean algorithms;

    private Determinism(TorchContext context) {
        this.context = context;
        this.cudnn = context.deterministicCudnn();
        this.benchmark = context.benchmarkCudnn();
        this.algorithms = context.deterministicAlgorithms();
    }

    /** Turns the switches on when {@code deterministic}; otherwise leaves them as they are. */
    public static Determinism apply(boolean deterministic) {
        Determinism saved = new Determinism(TorchContext.get());
        if (deterministic) {
            saved.context.setDeterministicCudnn(true);
            saved.context.setBenchmarkCudnn(false);
            saved.context.setDeterministicAlgorithms(true);
        }
        return saved;
    }

    /** The switches as libtorch reports them now (for the manifest and {@code doctor}). */
    public ObjectNode state() {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("cudnnDeterministic", context.deterministicCudnn());
        out.put("cudnnBenchmark", context.benchmarkCudnn());
        out.put("deterministicAlgorithms", context.deterministicAlgorithms());
        return out;
    }

    @Override
    public void close() {
        context.setDeterministicCudnn(cudnn);
        context.setBenchmarkCudnn(benchmark);
        context.setDeterministicAlgorithms(algorithms);
    }
}
