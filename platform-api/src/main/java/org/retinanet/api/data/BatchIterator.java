package org.retinanet.api.data;

import java.util.Iterator;

/** Batches of one epoch, produced by background threads; {@link #close()} stops them. */
public interface BatchIterator extends Iterator<HostBatch>, AutoCloseable {

    /** Images skipped because they could not be decoded ({@code skipBadImages}), with reasons. */
    default java.util.List<String> skipped() {
        return java.util.List.of();
    }

    @Override
    void close();
}
