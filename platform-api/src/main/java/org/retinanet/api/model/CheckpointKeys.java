package org.retinanet.api.model;

/**
 * How a component's parameters are named in external checkpoints. Our own key (from
 * {@link TorchNames}) is the native name; {@link #importKey} maps a key of another flavour,
 * relative to this component (the platform strips {@code backbone.}, {@code neck.},
 * {@code bbox_head.}, {@code head.} and similar prefixes first), to ours.
 */
public interface CheckpointKeys {

    /** Flavour names: mmdetection's keys, and torchvision's. */
    String MMDET = "mmdet";

    String TORCHVISION = "torchvision";

    /**
     * Maps {@code key} of checkpoint flavour {@code flavour} to this component's own key; returns
     * null when the key has no place here and is dropped on purpose (it is then reported as
     * ignored, not unexpected).
     */
    default String importKey(String flavour, String key) {
        return key;
    }
}
