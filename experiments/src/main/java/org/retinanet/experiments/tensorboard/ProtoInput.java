package org.retinanet.experiments.tensorboard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits one protobuf message into its fields, written from the wire-format spec independently of
 * {@link ProtoOutput}. Each field number maps to its occurrences in order: a Long for varint and
 * fixed-width fields (raw bits), a byte[] for length-delimited ones.
 */
final class ProtoInput {

    private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

    private ProtoInput() {}

    static ProtoInput parse(byte[] data) {
        ProtoInput msg = new ProtoInput();
        int[] pos = {0};
        while (pos[0] < data.length) {
            long key = readVarint(data, pos);
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            Object value = switch (wireType) {
                case ProtoOutput.VARINT -> readVarint(data, pos);
                case ProtoOutput.FIXED64 -> readLittleEndian(data, pos, 8);
                case ProtoOutput.FIXED32 -> readLittleEndian(data, pos, 4);
                case ProtoOutput.LENGTH_DELIMITED -> {
                    long length = readVarint(data, pos);
                    if (length < 0 || pos[0] + length > data.length) {
                        throw new IllegalArgumentException("protobuf: field " + field + " length " + length
                                + " runs past the message end (" + data.length + " bytes)");
                    }
                    byte[] b = new byte[(int) length];
                    System.arraycopy(data, pos[0], b, 0, b.length);
                    pos[0] += b.length;
                    yield b;
                }
                default ->
                    throw new IllegalArgumentException("protobuf: unsupported wire type " + wireType + " for field "
                            + field + " at byte " + pos[0]);
            };
            if (field <= 0) {
                throw new IllegalArgumentException("protobuf: invalid field number " + field);
            }
            msg.fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return msg;
    }

    boolean has(int field) {
        return fields.containsKey(field);
    }

    /** The last occurrence wins for singular fields, as in protobuf. */
    private Object last(int field) {
        List<Object> all = fields.get(field);
        return all == null ? null : all.get(all.size() - 1);
    }

    long varint(int field, long absent) {
        Object v = last(field);
        return v == null ? absent : (Long) v;
    }

    double float64(int field, double absent) {
        Object v = last(field);
        return v == null ? absent : Double.longBitsToDouble((Long) v);
    }

    Float float32(int field) {
        Object v = last(field);
        return v == null ? null : Float.intBitsToFloat((int) (long) (Long) v);
    }

    byte[] bytes(int field) {
        return (byte[]) last(field);
    }

    String string(int field) {
        byte[] b = bytes(field);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    ProtoInput message(int field) {
        byte[] b = bytes(field);
        return b == null ? null : parse(b);
    }

    List<ProtoInput> messages(int field) {
        List<ProtoInput> out = new ArrayList<>();
        for (Object v : fields.getOrDefault(field, List.of())) {
            out.add(parse((byte[]) v));
        }
        return out;
    }

    /** A repeated double, packed (one length-delimited run) or not (one fixed64 per element). */
    double[] doubles(int field) {
        List<Double> values = new ArrayList<>();
        for (Object v : fields.getOrDefault(field, List.of())) {
            if (v instanceof byte[] packed) {
                int[] pos = {0};
                while (pos[0] < packed.length) {
                    values.add(Double.longBitsToDouble(readLittleEndian(packed, pos, 8)));
                }
            } else {
                values.add(Double.longBitsToDouble((Long) v));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static long readVarint(byte[] data, int[] pos) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= data.length) {
                throw new IllegalArgumentException("protobuf: truncated varint at byte " + pos[0]);
            }
            int b = data[pos[0]++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("protobuf: varint longer than 10 bytes at byte " + pos[0]);
    }

    private static long readLittleEndian(byte[] data, int[] pos, int byteCount) {
        if (pos[0] + byteCount > data.length) {
            throw new IllegalArgumentException("protobuf: truncated fixed" + (8 * byteCount) + " at byte " + pos[0]);
        }
        long v = 0;
        for (int i = 0; i < byteCount; i++) {
            v |= (long) (data[pos[0]++] & 0xFF) << (8 * i);
        }
        return v;
    }
}
