package org.retinanet.api.statedict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.retinanet.api.statedict.PickledObjects.PyObject;
import org.retinanet.api.statedict.PickledObjects.StorageRef;
import org.retinanet.api.statedict.PickledObjects.TensorRef;
import org.retinanet.api.statedict.PickledObjects.UnsupportedTensor;

/**
 * Reads the zip format {@code torch.save} has written since torch 1.6: {@code <archive>/data.pkl}
 * (the pickled object, with tensors as persistent ids) and one raw entry
 * {@code <archive>/data/<key>} per storage, in the byte order of {@code <archive>/byteorder}
 * (little when absent).
 */
final class TorchZipReader {

    /** Keys under which training tools nest the model's state dict, most specific first. */
    private static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model");

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final ByteOrder byteOrder;

    private TorchZipReader(Path file, ZipFile zip, String prefix, ByteOrder byteOrder) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.byteOrder = byteOrder;
    }

    /** The state dict's tensors, in file order, as arrays of {@code manager}. */
    static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = archivePrefix(file, zip);
            ByteOrder order = byteOrder(file, zip, prefix);
            return new TorchZipReader(file, zip, prefix, order).readTensors(manager);
        } catch (StateDictFormatException e) {
            throw e;
        } catch (IOException e) {
            // ZipException, EOF inside an entry, bad CRC: the file is damaged, not missing
            throw new StateDictFormatException(file, "not a valid zip archive (truncated or corrupt?): " + e, e);
        }
    }

    /** The archive's top folder: the one holding data.pkl. TorchScript archives are refused here. */
    private static String archivePrefix(Path file, ZipFile zip) throws IOException {
        String prefix = null;
        boolean torchScript = false;
        boolean numpy = false;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            int slash = name.indexOf('/');
            String rest = slash < 0 ? name : name.substring(slash + 1);
            if (rest.equals("data.pkl") && slash > 0 && prefix == null) {
                prefix = name.substring(0, slash + 1);
            }
            torchScript |= rest.equals("constants.pkl") || rest.startsWith("code/");
            numpy |= name.endsWith(".npy");
        }
        if (torchScript) {
            throw new StateDictFormatException(
                    file,
                    "is a TorchScript archive (torch.jit.save), not a state dict: "
                            + "re-save its weights with torch.save(torch.jit.load(path).state_dict(), 'weights.pth')");
        }
        if (prefix == null) {
            throw new StateDictFormatException(
                    file,
                    "zip archive without <archive>/data.pkl" + (numpy ? " (it holds .npy entries: name it .npz)" : "")
                            + ", so not a torch.save checkpoint");
        }
        return prefix;
    }

    private static ByteOrder byteOrder(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN; // torch < 2.1 wrote no byteorder entry; always little then
        }
        String text;
        try (InputStream in = zip.getInputStream(entry)) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new StateDictFormatException(file, "unknown byteorder '" + text + "'");
        };
    }

    private Map<String, NDArray> readTensors(NDManager manager) throws IOException {
        Map<String, TensorRef> refs = tensorsOf(unwrap(unpickle()));
        Map<String, Integer> usesLeft = new HashMap<>();
        refs.values().forEach(r -> usesLeft.merge(r.storage().key(), 1, Integer::sum));
        Map<String, byte[]> storages = new HashMap<>();
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            TensorRef ref = e.getValue();
            String storageKey = ref.storage().key();
            byte[] storage = storages.get(storageKey);
            if (storage == null) {
                storage = readStorage(e.getKey(), ref.storage());
                storages.put(storageKey, storage);
            }
            out.put(e.getKey(), toArray(e.getKey(), ref, storage, manager));
            if (usesLeft.merge(storageKey, -1, Integer::sum) == 0) {
                storages.remove(storageKey); // keep only storages that later tensors still view
            }
        }
        return out;
    }

    private Object unpickle() throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "data.pkl");
        byte[] pickle;
        try (InputStream in = zip.getInputStream(entry)) {
            pickle = in.readAllBytes();
        }
        ByteArrayInputStream in = new ByteArrayInputStream(pickle);
        TorchUnpickler unpickler = new TorchUnpickler();
        try {
            return unpickler.load(in);
        } catch (IOException | RuntimeException e) {
            long at = pickle.length - in.available();
            throw new StateDictFormatException(
                    file, "pickle error at byte " + at + " of " + prefix + "data.pkl: " + e.getMessage(), e);
        } finally {
            unpickler.close();
        }
    }

    /** Finds the state dict inside training checkpoints ({@code {"meta", "state_dict"}}, {@code {"model"}}, ...). */
    private Map<?, ?> unwrap(Object top) throws StateDictFormatException {
        Object current = top;
        for (int depth = 0; depth < 4 && current instanceof Map<?, ?> map && !holdsTensors(map); depth++) {
            Object inner = null;
            for (String key : WRAPPER_KEYS) {
                if (map.get(key) instanceof Map<?, ?> candidate) {
                    inner = candidate;
                    break;
                }
            }
            if (inner == null) {
                break;
            }
            current = inner;
        }
        if (current instanceof Map<?, ?> map) {
            return map;
        }
        if (current instanceof TensorRef) {
            throw new StateDictFormatException(
                    file, "holds a single tensor, not a state dict (a dict of named tensors)");
        }
        if (current instanceof PyObject o) {
            throw new StateDictFormatException(
                    file,
                    "holds a pickled " + o.type.qualifiedName()
                            + " object, not a state dict: re-save it with torch.save(model.state_dict(), path)");
        }
        throw new StateDictFormatException(file, "holds " + TorchUnpickler.describe(current) + ", not a state dict");
    }

    private static boolean holdsTensors(Map<?, ?> map) {
        return map.values().stream().anyMatch(v -> v instanceof TensorRef || v instanceof UnsupportedTensor);
    }

    /** The tensor entries of a state dict; other values (metadata, numbers, strings) are skipped. */
    private Map<String, TensorRef> tensorsOf(Map<?, ?> stateDict) throws StateDictFormatException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : stateDict.entrySet()) {
            if (e.getValue() instanceof UnsupportedTensor u) {
                throw new StateDictFormatException(
                        file, "key '" + e.getKey() + "' is " + u.how() + ", which is not supported");
            }
            if (e.getValue() instanceof TensorRef t) {
                out.put(String.valueOf(e.getKey()), t);
            }
        }
        if (out.isEmpty()) {
            List<String> keys = new ArrayList<>();
            stateDict.keySet().stream().limit(10).forEach(k -> keys.add(String.valueOf(k)));
            throw new StateDictFormatException(file, "no tensors found (top-level keys: " + keys + ")");
        }
        return out;
    }

    private byte[] readStorage(String key, StorageRef storage) throws IOException {
        TorchDtype dtype = storage.dtype();
        if (dtype == null) {
            throw new StateDictFormatException(
                    file,
                    "key '" + key + "' has unsupported dtype " + storage.typeName()
                            + " (supported: float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool)");
        }
        String name = prefix + "data/" + storage.key();
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new StateDictFormatException(
                    file, "missing storage " + storage.key() + " (zip entry " + name + ") for key '" + key + "'");
        }
        if (storage.numel() < 0 || storage.numel() > (Integer.MAX_VALUE - 16) / dtype.elementSize) {
            throw new StateDictFormatException(
                    file, "storage " + storage.key() + " of key '" + key + "' is larger than 2 GB");
        }
        long expected = storage.numel() * dtype.elementSize;
        if (entry.getSize() >= 0 && entry.getSize() < expected) {
            throw truncated(key, storage, dtype, expected, entry.getSize());
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) expected);
        }
        if (bytes.length < expected) {
            throw truncated(key, storage, dtype, expected, bytes.length);
        }
        return bytes;
    }

    private StateDictFormatException truncated(
            String key, StorageRef storage, TorchDtype dtype, long expected, long found) {
        return new StateDictFormatException(
                file,
                "truncated storage " + storage.key() + " for key '" + key + "': " + storage.numel() + " "
                        + dtype.torchName + " elements need " + expected + " bytes, found " + found);
    }

    private NDArray toArray(String key, TensorRef ref, byte[] storage, NDManager manager)
            throws StateDictFormatException {
        TorchDtype dtype = ref.storage().dtype();
        int elementSize = dtype.elementSize;
        long numel;
        try {
            checkBounds(key, ref, storage.length / elementSize);
            numel = ref.numel();
            Math.multiplyExact(numel, 4L);
        } catch (ArithmeticException e) {
            throw new StateDictFormatException(
                    file, "key '" + key + "' has an impossible size " + Arrays.toString(ref.size()));
        }
        if (numel * Math.max(elementSize, dtype.djlType.getNumOfBytes()) > Integer.MAX_VALUE - 16) {
            throw new StateDictFormatException(file, "key '" + key + "' is larger than 2 GB");
        }
        ByteBuffer raw = StridedCopy.gather(storage, elementSize, ref.offset(), ref.size(), ref.stride());
        if (byteOrder != ByteOrder.nativeOrder()) {
            StridedCopy.swapBytes(raw, elementSize);
        }
        ByteBuffer data = dtype == TorchDtype.BFLOAT16 ? StridedCopy.bfloat16ToFloat32(raw, numel) : raw;
        NDArray array = manager.create(data, new Shape(ref.size()), dtype.djlType);
        array.setName(key);
        return array;
    }

    /** The view must stay inside its storage (a corrupt size or stride would read past it). */
    private void checkBounds(String key, TensorRef ref, long storageNumel) throws StateDictFormatException {
        if (ref.offset() < 0) {
            throw new StateDictFormatException(file, "key '" + key + "' has a negative storage offset " + ref.offset());
        }
        boolean empty = false;
        long last = ref.offset();
        for (int d = 0; d < ref.size().length; d++) {
            if (ref.size()[d] < 0 || ref.stride()[d] < 0) {
                throw new StateDictFormatException(file, "key '" + key + "' has a negative size or stride");
            }
            if (ref.size()[d] == 0) {
                empty = true;
            } else {
                last = Math.addExact(last, Math.multiplyExact(ref.size()[d] - 1, ref.stride()[d]));
            }
        }
        if (!empty && last >= storageNumel) {
            throw new StateDictFormatException(
                    file,
                    "key '" + key + "' reads element " + last + " of storage "
                            + ref.storage().key() + ", which holds only " + storageNumel);
        }
    }
}
