package org.retinanet.experiments.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few parts of the protobuf wire format that TensorBoard's messages need, written by hand so
 * that the platform carries no protobuf runtime. Proto3 semantics: fields at their default value
 * are still written when the caller asks (harmless), absent ones are simply not called.
 */
final class ProtoOutput {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoOutput int64(int field, long value) {
        tag(field, VARINT);
        varint(value);
        return this;
    }

    /** int32 and enums: negative values are sign-extended to 10 bytes, as protobuf does. */
    ProtoOutput int32(int field, int value) {
        return int64(field, value);
    }

    ProtoOutput bool(int field, boolean value) {
        return int64(field, value ? 1 : 0);
    }

    ProtoOutput float32(int field, float value) {
        tag(field, FIXED32);
        littleEndian(Float.floatToIntBits(value) & 0xFFFFFFFFL, 4);
        return this;
    }

    ProtoOutput float64(int field, double value) {
        tag(field, FIXED64);
        littleEndian(Double.doubleToLongBits(value), 8);
        return this;
    }

    ProtoOutput string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoOutput bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        varint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoOutput message(int field, ProtoOutput message) {
        return bytes(field, message.toByteArray());
    }

    /** A packed repeated double (proto3's default encoding for repeated scalars). */
    ProtoOutput packedDoubles(int field, double[] values) {
        ProtoOutput packed = new ProtoOutput();
        for (double v : values) {
            packed.littleEndian(Double.doubleToLongBits(v), 8);
        }
        return bytes(field, packed.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private void littleEndian(long value, int byteCount) {
        for (int i = 0; i < byteCount; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }
}
