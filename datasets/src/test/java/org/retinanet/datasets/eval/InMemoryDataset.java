package org.retinanet.datasets.eval;

import java.io.IOException;
import java.util.List;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.ImageAnnotations;

/** Ground truth without pixels, for evaluator tests. */
record InMemoryDataset(String name, List<Category> categories, List<ImageAnnotations> images)
        implements DetectionDataset {

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public ImageAnnotations annotations(int index) {
        return images.get(index);
    }

    @Override
    public DecodedImage image(int index) throws IOException {
        throw new IOException(name + ": evaluation-only dataset has no pixels (image " + index + ")");
    }
}
