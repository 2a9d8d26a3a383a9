package org.retinanet.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Objects;

/**
 * A child NDManager for the intermediates of one loss call. The inputs are temporarily attached
 * to it (so that the arrays computed from them land in it too) and go back to their own managers
 * when the scope closes; results are attached to {@link #outer()} with {@link #keep}.
 */
public final class Scope implements AutoCloseable {

    private final NDManager outer;
    private final NDManager inner;

    private Scope(NDArray anchor, NDArray... inputs) {
        this.outer = anchor.getManager();
        this.inner = outer.newSubManager(anchor.getDevice());
        inner.tempAttachAll(anchor);
        for (NDArray input : inputs) {
            if (input != null && input != anchor) {
                inner.tempAttachAll(input);
            }
        }
    }

    /** Opens a scope on the manager of {@code anchor}; null inputs are skipped. */
    public static Scope of(NDArray anchor, NDArray... inputs) {
        return new Scope(Objects.requireNonNull(anchor, "anchor"), inputs);
    }

    public NDManager manager() {
        return inner;
    }

    public NDManager outer() {
        return outer;
    }

    /** Moves a result out of the scope, to the manager the inputs came from. */
    public NDArray keep(NDArray result) {
        result.attach(outer);
        return result;
    }

    @Override
    public void close() {
        inner.close();
    }
}
