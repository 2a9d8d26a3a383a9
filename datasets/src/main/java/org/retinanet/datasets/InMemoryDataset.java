package org.retinanet.datasets;

import java.io.IOException;
import java.util.List;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.datasets.image.ImageDecoder;

/** A dataset whose annotations are all read up front; each image is decoded from its file when asked for. */
public abstract class InMemoryDataset implements DetectionDataset {

    private final String name;
    private final List<Category> categories;
    private final List<ImageAnnotations> images;

    protected InMemoryDataset(String name, List<Category> categories, List<ImageAnnotations> images) {
        this.name = name;
        this.categories = List.copyOf(categories);
        this.images = List.copyOf(images);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Category> categories() {
        return categories;
    }

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
        return ImageDecoder.decode(images.get(index).image().file());
    }
}
