package org.retinanet.api.nn;

/**
 * A block whose parameters stay float32 when the model computes in half precision, as mmcv's
 * {@code wrap_fp16_model} keeps normalisation layers in FP32: the platform hands it its float32
 * parameters, it accepts half-precision input, computes in float32 and returns its input's type.
 * Normalisation layers implement it; a plugin's own norm layer should too.
 */
public interface KeepsFloat32 {}
