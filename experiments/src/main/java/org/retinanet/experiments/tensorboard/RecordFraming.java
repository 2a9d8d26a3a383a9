package org.retinanet.experiments.tensorboard;

import java.util.zip.CRC32C;

/**
 * TFRecord framing of event files: uint64 LE data length, uint32 LE masked CRC32C of those 8
 * bytes, the data, uint32 LE masked CRC32C of the data.
 */
final class RecordFraming {

    static final int HEADER_BYTES = 12;
    static final int FOOTER_BYTES = 4;

    private static final int MASK_DELTA = 0xA282EAD8;

    private RecordFraming() {}

    /** CRC32C rotated right by 15 bits plus a constant, so that CRCs of CRCs stay well spread. */
    static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    static byte[] frame(byte[] data) {
        byte[] record = new byte[HEADER_BYTES + data.length + FOOTER_BYTES];
        putLittleEndian(record, 0, data.length, 8);
        putLittleEndian(record, 8, maskedCrc32c(record, 0, 8) & 0xFFFFFFFFL, 4);
        System.arraycopy(data, 0, record, HEADER_BYTES, data.length);
        putLittleEndian(record, HEADER_BYTES + data.length, maskedCrc32c(data, 0, data.length) & 0xFFFFFFFFL, 4);
        return record;
    }

    static long getLittleEndian(byte[] b, int offset, int byteCount) {
        long v = 0;
        for (int i = 0; i < byteCount; i++) {
            v |= (long) (b[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    private static void putLittleEndian(byte[] b, int offset, long value, int byteCount) {
        for (int i = 0; i < byteCount; i++) {
            b[offset + i] = (byte) (value >>> (8 * i));
        }
    }
}
