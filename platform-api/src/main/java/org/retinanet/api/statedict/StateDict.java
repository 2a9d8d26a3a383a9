package org.retinanet.api.statedict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ordered map from parameter name to tensor, read from a checkpoint file: PyTorch
 * {@code torch.save} files ({@code .pth}/{@code .pt}, zip + pickle), {@code .safetensors} and
 * {@code .npz}. Nested checkpoints ({@code {"meta", "state_dict"}} from mmdetection,
 * {@code {"model": ...}} from detectron2) are unwrapped to their state dict.
 *
 * <p>TODO(statedict helper): implement.
 */
public final class StateDict implements AutoCloseable {

    private final Path source;
    private final Map<String, NDArray> tensors;
    private final NDManager manager;

    StateDict(Path source, Map<String, NDArray> tensors, NDManager manager) {
        this.source = source;
        this.tensors = tensors;
        this.manager = manager;
    }

    /** Reads a checkpoint; arrays live in a child of {@code manager}, released by {@link #close()}. */
    public static StateDict read(Path file, NDManager manager) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public Path source() {
        return source;
    }

    /** Tensors in file order. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /**
     * Copies tensors into initialised parameters ({@code target}: torch-style name to parameter,
     * see {@link org.retinanet.api.model.TorchNames}).
     */
    public LoadReport loadInto(Map<String, Parameter> target, LoadOptions options) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
        manager.close();
    }
}
