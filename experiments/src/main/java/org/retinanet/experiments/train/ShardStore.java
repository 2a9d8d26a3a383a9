package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The parameter store of one data-parallel step. Shard 0 runs on the weights themselves; every
 * other shard on copies made on first use inside the gradient collector, so the copy is part of
 * the autograd graph (as torch.nn.DataParallel's broadcast is) and each shard's backward pass
 * accumulates into the weights' own gradients. Copies are made even on the same device, which
 * lets the whole path run on one CPU. BatchNorm statistics updated by a copy are dropped with it:
 * the weights keep shard 0's, as DistributedDataParallel keeps rank 0's buffers.
 */
final class ShardStore extends ParameterStore {

    private final Map<String, NDArray> copies = new HashMap<>();
    private NDManager shardManager;
    private int shard;

    ShardStore(NDManager primary) {
        super(primary, false);
    }

    /** Routes later lookups to shard {@code index}; its copies live in {@code manager}. */
    void use(int index, NDManager manager) {
        if (index != shard) {
            copies.clear();
        }
        shard = index;
        shardManager = manager;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        if (shard == 0 && parameter.getArray().getDevice().equals(device)) {
            return parameter.getArray();
        }
        return copies.computeIfAbsent(parameter.getId(), id -> {
            NDArray copy = parameter.getArray().toDevice(device, true);
            copy.attach(shardManager);
            return copy;
        });
    }
}
