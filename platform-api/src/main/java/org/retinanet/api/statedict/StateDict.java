package org.retinanet.api.statedict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ordered map from parameter name to tensor, read from a checkpoint file: PyTorch
 * {@code torch.save} files ({@code .pth}/{@code .pt}, zip + pickle), {@code .safetensors} and
 * {@code .npz}. Nested checkpoints ({@code {"meta", "state_dict"}} from mmdetection,
 * {@code {"model": ...}} from detectron2, {@code {"model_state_dict": ...}}) are unwrapped to their
 * state dict; values that are not tensors (metadata) are skipped.
 *
 * <p>Tensors come in the file's dtype (bfloat16 widened to float32); {@link #loadInto} converts
 * them to each parameter's dtype.
 */
public final class StateDict implements AutoCloseable {

    private final Path source;
    private final Map<String, NDArray> tensors;
    private final NDManager manager;

    StateDict(Path source, Map<String, NDArray> tensors, NDManager manager) {
        this.source = source;
        this.tensors = tensors;
        this.manager = manager;
    }

    /**
     * Reads a checkpoint; arrays live in a child of {@code manager}, released by {@link #close()}.
     * The format is recognised from the content (zip + data.pkl, safetensors header) and the
     * {@code .npz} extension.
     *
     * @throws StateDictFormatException naming the file and the problem when it is not a readable
     *     checkpoint (legacy torch format, TorchScript, truncated, unsupported dtype, ...)
     * @throws NoSuchFileException when the file does not exist
     */
    public static StateDict read(Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "checkpoint file not found");
        }
        Format format = Format.detect(file);
        NDManager child = manager.newSubManager();
        try {
            Map<String, NDArray> tensors = switch (format) {
                case TORCH_ZIP -> TorchZipReader.read(file, child);
                case SAFETENSORS, NPZ -> decodeWithDjl(file, format, child);
            };
            return new StateDict(file, Collections.unmodifiableMap(tensors), child);
        } catch (IOException | RuntimeException | Error e) {
            child.close();
            throw e;
        }
    }

    public Path source() {
        return source;
    }

    /** Tensors in file order. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /**
     * Copies tensors into initialised parameters ({@code target}: torch-style name to parameter,
     * see {@link org.retinanet.api.model.TorchNames}). Every check (initialisation, shapes,
     * strictness) runs before the first value is copied, so a failed load leaves the model as it
     * was. Values are converted to each parameter's dtype and copied on its device.
     *
     * @throws IllegalArgumentException on the first shape mismatch (naming the key and both
     *     shapes), or, when {@code options.strict()}, on missing or unexpected keys
     * @throws IllegalStateException when a parameter to load is not initialised
     */
    public LoadReport loadInto(Map<String, Parameter> target, LoadOptions options) {
        return new StateDictLoader(this, target, options).load();
    }

    /**
     * Writes {@code tensors} (names = keys, in map order) as a safetensors file, atomically: a
     * temporary file in the same folder is written, flushed to disk and moved over {@code file}, so
     * a reader never sees a half-written checkpoint.
     */
    public static void writeSafetensors(Map<String, NDArray> tensors, Path file) throws IOException {
        SafetensorsWriter.write(tensors, file);
    }

    @Override
    public void close() {
        manager.close();
    }

    private static Map<String, NDArray> decodeWithDjl(Path file, Format format, NDManager manager) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (format == Format.SAFETENSORS) {
            long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            if (headerLength < 0 || headerLength > bytes.length - 8) {
                throw new StateDictFormatException(
                        file,
                        "safetensors header length " + headerLength + " exceeds the file's " + bytes.length
                                + " bytes (truncated or corrupt?)");
            }
        }
        NDList list;
        try {
            list = NDList.decode(manager, bytes);
        } catch (RuntimeException e) {
            throw new StateDictFormatException(
                    file, "not a valid " + format.description + " (truncated or corrupt?): " + e, e);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray array : format == Format.SAFETENSORS ? inDataOrder(file, bytes, list) : list) {
            String name = array.getName();
            if (name == null || name.isEmpty()) {
                throw new StateDictFormatException(file, format.description + " holds an array without a name");
            }
            NDArray value = array.getDataType() == DataType.BFLOAT16 ? array.toType(DataType.FLOAT32, false) : array;
            value.setName(name);
            if (out.put(name, value) != null) {
                throw new StateDictFormatException(file, format.description + " holds two arrays named '" + name + "'");
            }
        }
        return out;
    }

    /**
     * DJL's decoder loses the order of a safetensors file's tensors; the file's order is that of
     * their data (the header's offsets), which for files written here is the writer's map order.
     */
    private static List<NDArray> inDataOrder(Path file, byte[] bytes, NDList list) throws StateDictFormatException {
        Map<String, Long> start = new HashMap<>();
        try {
            int length = (int) java.nio.ByteBuffer.wrap(bytes, 0, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, length, StandardCharsets.UTF_8));
            header.fields()
                    .forEachRemaining(e -> start.put(
                            e.getKey(),
                            e.getValue().path("data_offsets").path(0).asLong()));
        } catch (IOException | RuntimeException e) {
            throw new StateDictFormatException(file, "unreadable safetensors header: " + e.getMessage(), e);
        }
        List<NDArray> ordered = new ArrayList<>(list);
        ordered.sort(Comparator.comparingLong(a -> start.getOrDefault(a.getName(), Long.MAX_VALUE)));
        return ordered;
    }

    /** The checkpoint formats, told apart by their first bytes. */
    private enum Format {
        TORCH_ZIP("torch.save zip archive"),
        SAFETENSORS("safetensors file"),
        NPZ("numpy .npz archive");

        final String description;

        Format(String description) {
            this.description = description;
        }

        /** A legacy torch.save file starts with the pickled magic number 0x1950a86a20f9469cfc6c (protocol 2, LONG1). */
        private static final byte[] LEGACY_TORCH_MAGIC = {
            (byte) 0x80,
            0x02,
            (byte) 0x8a,
            0x0a,
            0x6c,
            (byte) 0xfc,
            (byte) 0x9c,
            0x46,
            (byte) 0xf9,
            0x20,
            0x6a,
            (byte) 0xa8,
            0x50,
            0x19
        };

        private static boolean startsWith(byte[] head, byte[] prefix) {
            return head.length >= prefix.length
                    && java.util.Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
        }

        static Format detect(Path file) throws IOException {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(16);
            }
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (head.length == 0) {
                throw new StateDictFormatException(file, "is empty");
            }
            boolean zip = head.length >= 4 && head[0] == 'P' && head[1] == 'K';
            if (zip) {
                return name.endsWith(".npz") ? NPZ : TORCH_ZIP;
            }
            if (name.endsWith(".npz")) {
                throw new StateDictFormatException(file, "is not a zip archive, so not a numpy .npz file");
            }
            // safetensors: u64 little-endian header length, then the JSON header
            if (head.length > 8 && head[8] == '{') {
                return SAFETENSORS;
            }
            if (name.endsWith(".safetensors")) {
                throw new StateDictFormatException(
                        file, "does not start with a safetensors header (truncated or corrupt?)");
            }
            if (startsWith(head, LEGACY_TORCH_MAGIC)) {
                throw new StateDictFormatException(
                        file,
                        "is in the legacy torch.save format (torch < 1.6, or "
                                + "_use_new_zipfile_serialization=False), which is not supported: re-save it with torch >= 1.6 "
                                + "as torch.save(torch.load(path), 'converted.pth')");
            }
            if ((head[0] & 0xFF) == 0x80) {
                throw new StateDictFormatException(
                        file,
                        "is a plain Python pickle (such as a detectron2 .pkl of numpy "
                                + "arrays), not a torch.save archive: convert it to .pth (torch.save) or .safetensors");
            }
            throw new StateDictFormatException(
                    file,
                    "is not a checkpoint: neither a torch.save zip archive (.pth/.pt), "
                            + "a safetensors file nor a numpy .npz archive");
        }
    }
}
