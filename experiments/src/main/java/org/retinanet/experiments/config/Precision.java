package org.retinanet.experiments.config;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The type a model computes in: {@code fp32}, or mixed precision as mmdetection 2.x trained its
 * FP16 row (half-precision forward and backward, float32 master weights, normalisation layers and
 * the loss in float32, a loss scale). {@code bf16} is named so that a config asking for it gets a
 * clear answer: DJL 0.36's PyTorch JNI has no bfloat16 type.
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

    /** Whether the step multiplies the loss by a scale (fp16's narrow exponent needs it; bf16's would not). */
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

    /** Refuses what this engine cannot run, in one clear sentence. */
    public Precision requireAvailable(String where) {
        if (this == BF16) {
            throw new IllegalArgumentException(where + "=bf16 cannot run on this engine: DJL 0.36's PyTorch JNI"
                    + " maps no bfloat16 type (asking libtorch for one through it aborts the JVM), so no"
                    + " bfloat16 tensor can be made from Java. Use fp16 (loss-scaled mixed precision) or fp32.");
        }
        return this;
    }
}
