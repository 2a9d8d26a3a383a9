package org.retinanet.datasets.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.retinanet.api.data.BatchIterator;
import org.retinanet.api.data.HostBatch;
import org.retinanet.api.registry.UserException;

/**
 * Builds batches on {@code workers} daemon threads, at most {@code prefetch} batches ahead of the
 * consumer, and hands them out in plan order. A worker's failure surfaces in {@link #next()}
 * (a bad image as a {@link UserException} naming the file). {@link #close()} cancels the work
 * and waits for the threads to end; threads also time out if an iterator is abandoned.
 */
final class ParallelBatchIterator implements BatchIterator {

    static final String THREAD_PREFIX = "retinanet-loader-";
    private static final AtomicInteger ITERATORS = new AtomicInteger();

    private final List<int[]> batches;
    private final int epoch;
    private final BatchBuilder builder;
    private final int prefetch;
    private final ThreadPoolExecutor pool;
    private final ArrayDeque<Future<HostBatch>> inFlight = new ArrayDeque<>();
    private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    private int nextToSubmit;
    private HostBatch pending;
    private boolean closed;

    ParallelBatchIterator(
            List<int[]> batches, int firstBatch, int epoch, BatchBuilder builder, int workers, int prefetch) {
        this.batches = batches;
        this.epoch = epoch;
        this.builder = builder;
        this.prefetch = prefetch;
        this.nextToSubmit = Math.min(firstBatch, batches.size());
        String prefix = THREAD_PREFIX + ITERATORS.incrementAndGet() + "-";
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        fill();
    }

    private void fill() {
        while (!closed && inFlight.size() < prefetch && nextToSubmit < batches.size()) {
            int[] indices = batches.get(nextToSubmit++);
            inFlight.add(pool.submit(() -> builder.build(indices, epoch, skipped::add)));
        }
    }

    @Override
    public boolean hasNext() {
        while (pending == null && !closed && !inFlight.isEmpty()) {
            Future<HostBatch> head = inFlight.poll();
            HostBatch batch = await(head);
            fill();
            pending = batch; // null when every image of the batch was skipped: try the next one
        }
        if (pending == null && !closed) {
            close(); // epoch exhausted: no threads outlive it, even if the caller forgets close()
        }
        return pending != null;
    }

    private HostBatch await(Future<HostBatch> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for the data loader", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("the data loader was closed", e);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof UserException u) {
                throw new UserException(u.getMessage(), u);
            }
            throw new IllegalStateException("data loader failed: " + cause, cause);
        }
    }

    @Override
    public HostBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in epoch " + epoch);
        }
        HostBatch batch = pending;
        pending = null;
        return batch;
    }

    @Override
    public List<String> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Future<HostBatch> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
        pending = null;
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("data loader threads did not stop within 30 s");
            }
            // a terminated pool's last worker may still be unwinding: wait until it is gone
            synchronized (threads) {
                for (Thread t : threads) {
                    t.join(5000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
