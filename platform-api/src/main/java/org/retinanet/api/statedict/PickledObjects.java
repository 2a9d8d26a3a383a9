package org.retinanet.api.statedict;

import java.util.Arrays;
import net.razorvine.pickle.IObjectConstructor;

/**
 * What the unpickler of a {@code torch.save} file builds: references to tensors and storages
 * (their bytes are read later, and only for the tensors that are kept), and inert stand-ins for
 * every other Python object, so that unfamiliar metadata never stops a read.
 */
final class PickledObjects {

    private PickledObjects() {}

    /** A {@code ('storage', type, key, location, numel)} persistent id. */
    record StorageRef(TorchDtype dtype, String typeName, String key, String location, long numel) {}

    /** A dense tensor: a strided window onto a storage (in elements). */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {

        long numel() {
            long n = 1;
            for (long s : size) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }

        @Override
        public String toString() {
            return "tensor" + Arrays.toString(size);
        }
    }

    /** A tensor kind the reader does not materialise (quantized, sparse, meta, ...). */
    record UnsupportedTensor(String how) {}

    /** A Python global ({@code module.name}) with no special meaning here; calling it builds a {@link PyObject}. */
    record PyGlobal(String module, String name) implements IObjectConstructor {

        String qualifiedName() {
            return module + "." + name;
        }

        @Override
        public Object construct(Object[] args) {
            return new PyObject(this, args);
        }
    }

    /** An instance of a class the reader does not know; its state is kept only for error messages. */
    static final class PyObject {
        final PyGlobal type;
        final Object[] args;
        Object state;

        PyObject(PyGlobal type, Object[] args) {
            this.type = type;
            this.args = args;
        }

        @Override
        public String toString() {
            return type.qualifiedName() + " object";
        }
    }
}
