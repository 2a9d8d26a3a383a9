package org.retinanet.api.statedict;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Host-side byte shuffling: strided views to contiguous buffers, byte swaps, bf16 widening. */
final class StridedCopy {

    private StridedCopy() {}

    /**
     * The elements of the view {@code (offset, size, stride)} (in elements) of {@code storage}, in
     * row-major order, as a direct buffer. Contiguous views are one bulk copy.
     */
    static ByteBuffer gather(byte[] storage, int elementSize, long offset, long[] size, long[] stride) {
        long numel = 1;
        for (long s : size) {
            numel *= s;
        }
        ByteBuffer out =
                ByteBuffer.allocateDirect(Math.toIntExact(numel * elementSize)).order(ByteOrder.nativeOrder());
        if (numel == 0) {
            return out;
        }
        if (isContiguous(size, stride)) {
            out.put(storage, Math.toIntExact(offset * elementSize), Math.toIntExact(numel * elementSize));
            return out.flip();
        }
        int rank = size.length;
        long[] index = new long[rank];
        long position = offset;
        for (long n = 0; n < numel; n++) {
            out.put(storage, (int) (position * elementSize), elementSize);
            // odometer increment over the multi-index, last dimension fastest
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                position += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                position -= index[d] * stride[d];
                index[d] = 0;
            }
        }
        return out.flip();
    }

    /** Row-major contiguous; dimensions of extent 1 may carry any stride. */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    static void swapBytes(ByteBuffer buffer, int elementSize) {
        if (elementSize == 1) {
            return;
        }
        for (int base = 0; base < buffer.limit(); base += elementSize) {
            for (int i = 0, j = elementSize - 1; i < j; i++, j--) {
                byte b = buffer.get(base + i);
                buffer.put(base + i, buffer.get(base + j));
                buffer.put(base + j, b);
            }
        }
    }

    /** bf16 is the upper half of a float32, so widening is exact. */
    static ByteBuffer bfloat16ToFloat32(ByteBuffer bf16, long numel) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(numel * 4)).order(ByteOrder.nativeOrder());
        ByteBuffer in = bf16.duplicate().order(ByteOrder.nativeOrder());
        for (int i = 0; i < numel; i++) {
            out.putInt((in.getShort(i * 2) & 0xFFFF) << 16);
        }
        return out.flip();
    }
}
