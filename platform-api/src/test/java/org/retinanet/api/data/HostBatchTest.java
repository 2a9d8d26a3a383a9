package org.retinanet.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostBatchTest {

    /** Five 1x2 images whose pixels all hold the image's index, so a shard shows where it came from. */
    private static HostBatch batch(int n) {
        int h = 1;
        int w = 2;
        float[] pixels = new float[n * 3 * h * w];
        List<ImageMeta> metas = new ArrayList<>();
        List<BoxTargets> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(pixels, i * 6, (i + 1) * 6, i);
            metas.add(new ImageMeta(i, 2, 1, 2, 1, 1, 1, false));
            targets.add(new BoxTargets(new float[] {0, 0, 1, 1}, new int[] {i}, new boolean[] {false}));
        }
        return new HostBatch(pixels, h, w, metas, targets);
    }

    @Test
    void splitsIntoConsecutiveShardsWithTheRemainderFirst() {
        List<HostBatch> shards = batch(5).split(2);
        assertEquals(2, shards.size());
        assertEquals(3, shards.get(0).size());
        assertEquals(2, shards.get(1).size());
        assertEquals(
                List.of(3L, 4L),
                shards.get(1).metas().stream().map(ImageMeta::imageId).toList());
        assertArrayEquals(new int[] {3}, shards.get(1).targets().get(0).labels());
        assertArrayEquals(
                new float[] {3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4}, shards.get(1).pixels());
        assertEquals(1, shards.get(1).height());
        assertEquals(2, shards.get(1).width());
    }

    @Test
    void neverMakesEmptyShards() {
        List<HostBatch> shards = batch(2).split(4);
        assertEquals(2, shards.size());
        assertEquals(List.of(1, 1), shards.stream().map(HostBatch::size).toList());
        assertThrows(IllegalArgumentException.class, () -> batch(2).split(0));
    }
}
