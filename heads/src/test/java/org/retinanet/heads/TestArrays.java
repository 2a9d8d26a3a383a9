package org.retinanet.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.retinanet.testing.Fixtures;

/** Reads the heads' .npz fixtures into named arrays. */
final class TestArrays {

    private TestArrays() {}

    static Map<String, NDArray> npz(NDManager manager, String fixture) throws IOException {
        Path path = Fixtures.generated("heads/" + fixture);
        try (InputStream in = Files.newInputStream(path)) {
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                out.put(a.getName(), a);
            }
            return out;
        }
    }
}
