package org.retinanet.experiments.config;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The type a model computes in: {@code fp32}, or mixed precision as mmdetection 2.x trained its
 * FP16 row (half-precision forward and backward, float32 master weights, normalisation layers and
 * the loss in float32). {@code fp16} needs a loss scale; {@code bf16} has float32's exponent range
 * and needs none, as torch.amp uses it.
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16),
    BF16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** What convolutions and activations are stored in. */
    public DataType dataType() {
        return dataType;
    }

    public boolean isHalf() {
        return this != FP32;
    }

    /** Whether the step multiplies the loss by a scale (fp16's narrow exponent needs it; bf16's does not). */
    public boolean needsLossScale() {
        return this == FP16;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32}, {@code fp16} or {@code bf16}; {@code where} names the setting in the error. */
    public static Precision parse(String value, String where) {
        for (Precision p : values()) {
            if (p.toString().equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException(where + " must be fp32, fp16 or bf16, got '" + value + "'");
    }
}
