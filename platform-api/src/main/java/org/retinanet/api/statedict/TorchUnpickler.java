package org.retinanet.api.statedict;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import org.retinanet.api.statedict.PickledObjects.PyGlobal;
import org.retinanet.api.statedict.PickledObjects.PyObject;
import org.retinanet.api.statedict.PickledObjects.StorageRef;
import org.retinanet.api.statedict.PickledObjects.TensorRef;
import org.retinanet.api.statedict.PickledObjects.UnsupportedTensor;

/**
 * Unpickles the {@code data.pkl} of a {@code torch.save} archive into plain Java values, with
 * tensors as {@link TensorRef}s.
 *
 * <p>Globals are resolved here, per instance, instead of through the library's process-wide
 * constructor table: only the handful of torch functions that rebuild tensors mean anything,
 * every other class becomes an inert {@link PyObject}. Dicts keep their insertion order (the
 * library's default {@code HashMap} would shuffle a state dict's keys).
 */
final class TorchUnpickler extends Unpickler {

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolveGlobal(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(resolveGlobal(String.valueOf(module), String.valueOf(name)));
            }
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, stack.pop_all_since_marker());
                stack.add(map);
            }
            case Opcodes.SETITEMS -> {
                List<Object> pairs = stack.pop_all_since_marker();
                putPairs(asMap(stack.peek()), pairs);
            }
            case Opcodes.BUILD -> {
                Object state = stack.pop();
                // Only unknown objects keep their state; a state dict's _metadata is not needed.
                if (stack.peek() instanceof PyObject o) {
                    o.state = state;
                }
            }
            case Opcodes.BINSTRING, Opcodes.BINUNICODE, Opcodes.BINBYTES, Opcodes.LONG4 -> {
                checkLength(4);
                return super.dispatch(key);
            }
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> {
                checkLength(8);
                return super.dispatch(key);
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    /**
     * Refuses a length prefix longer than what is left of the pickle: a corrupt length would
     * otherwise make the library allocate an array of that size.
     */
    private void checkLength(int prefixBytes) throws IOException {
        if (!input.markSupported()) {
            return;
        }
        input.mark(prefixBytes);
        byte[] prefix = input.readNBytes(prefixBytes);
        input.reset();
        if (prefix.length < prefixBytes) {
            return; // the library reports the truncation itself
        }
        long length = 0;
        for (int i = prefixBytes - 1; i >= 0; i--) {
            length = (length << 8) | (prefix[i] & 0xFF);
        }
        long left = input.available() - (long) prefixBytes;
        if (length < 0 || length > left) {
            throw new PickleException(
                    "length " + Long.toUnsignedString(length) + " exceeds the " + left + " bytes left");
        }
    }

    /** {@code ('storage', storage_type, key, location, numel)}. */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])) {
            throw new PickleException("unknown persistent id " + describe(pid));
        }
        String typeName;
        TorchDtype dtype;
        if (t[1] instanceof StorageClass c) {
            typeName = c.global.qualifiedName();
            dtype = c.dtype;
        } else if (t[1] instanceof PyGlobal g) {
            typeName = g.qualifiedName();
            dtype = null; // reported when a kept tensor uses it
        } else {
            throw new PickleException("storage type is not a class: " + describe(t[1]));
        }
        return new StorageRef(
                dtype, typeName, String.valueOf(t[2]), String.valueOf(t[3]), toLong(t[4], "storage numel"));
    }

    private static IObjectConstructor resolveGlobal(String module, String name) {
        PyGlobal global = new PyGlobal(module, name);
        TorchDtype dtype = TorchDtype.ofStorageClass(module, name);
        if (dtype != null) {
            return new StorageClass(global, dtype);
        }
        return switch (module + "." + name) {
            case "collections.OrderedDict" -> args -> new LinkedHashMap<>();
            // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> TorchUnpickler::rebuildTensor;
            // (data, requires_grad, backward_hooks[, state])
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                args -> arg(args, 0);
            // (func, new_type, args, state): a tensor subclass; the tensor is func(*args)
            case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type" ->
                args -> {
                    if (arg(args, 0) instanceof IObjectConstructor func && arg(args, 2) instanceof Object[] inner) {
                        return func.construct(inner);
                    }
                    throw new PickleException("malformed " + module + "." + name + " arguments");
                };
            case "torch._utils._rebuild_qtensor" -> args -> new UnsupportedTensor("a quantized tensor");
            case "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor" ->
                args -> new UnsupportedTensor("a sparse tensor");
            case "torch._utils._rebuild_meta_tensor_no_storage" ->
                args -> new UnsupportedTensor("a meta tensor (no data)");
            case "torch._utils._rebuild_device_tensor_from_numpy",
                    "torch._utils._rebuild_xla_tensor",
                    "torch._utils._rebuild_mps_tensor",
                    "torch._utils._rebuild_wrapper_subclass",
                    "torch._utils._rebuild_nested_tensor" ->
                args -> new UnsupportedTensor("a tensor saved by " + module + "." + name);
            default -> global;
        };
    }

    private static Object rebuildTensor(Object[] args) {
        if (!(arg(args, 0) instanceof StorageRef storage)) {
            throw new PickleException("tensor rebuilt from something other than a storage: " + describe(arg(args, 0)));
        }
        long offset = toLong(arg(args, 1), "storage offset");
        long[] size = toLongs(arg(args, 2), "size");
        long[] stride = toLongs(arg(args, 3), "stride");
        if (size.length != stride.length) {
            throw new PickleException(
                    "tensor size " + describe(args[2]) + " and stride " + describe(args[3]) + " differ in rank");
        }
        return new TensorRef(storage, offset, size, stride);
    }

    /** A torch storage class ({@code torch.FloatStorage}) that names a dtype. */
    private record StorageClass(PyGlobal global, TorchDtype dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return new PyObject(global, args);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new PickleException("SETITEMS on " + describe(o) + ", not a dict");
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private static Object arg(Object[] args, int i) {
        if (args == null || args.length <= i) {
            throw new PickleException(
                    "expected at least " + (i + 1) + " arguments, got " + (args == null ? 0 : args.length));
        }
        return args[i];
    }

    private static long toLong(Object o, String what) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new PickleException(what + " is not an integer: " + describe(o));
    }

    private static long[] toLongs(Object o, String what) {
        if (!(o instanceof Object[] t)) {
            throw new PickleException(what + " is not a tuple: " + describe(o));
        }
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = toLong(t[i], what);
        }
        return out;
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] t) {
            return "tuple of " + t.length;
        }
        String text = o.getClass().getSimpleName() + " " + o;
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
