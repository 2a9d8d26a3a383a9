package org.retinanet.api.statedict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Atomic safetensors files through DJL's encoder: temp file in the same folder, fsync, atomic rename. */
final class SafetensorsWriter {

    private SafetensorsWriter() {}

    static void write(Map<String, NDArray> tensors, Path file) throws IOException {
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("safetensors " + file + ": tensor names must not be empty");
            }
            // DJL takes each array's name: one array cannot carry two
            if (!seen.add(e.getValue())) {
                throw new IllegalArgumentException("safetensors " + file + ": the array of '" + e.getKey()
                        + "' is also stored under another name; pass a copy (duplicate())");
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        NDList list = new NDList(tensors.size());
        List<String> previousNames = new ArrayList<>();
        try {
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                previousNames.add(e.getValue().getName());
                e.getValue().setName(e.getKey());
                list.add(e.getValue());
            }
            try (FileChannel channel =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(channel);
                list.encode(out, NDList.Encoding.SAFETENSORS);
                out.flush();
                channel.force(true); // on disk before the rename makes it visible
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
            for (int i = 0; i < previousNames.size(); i++) {
                list.get(i).setName(previousNames.get(i)); // the caller's arrays keep their own names
            }
        }
    }
}
