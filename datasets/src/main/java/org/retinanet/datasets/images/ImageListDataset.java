package org.retinanet.datasets.images;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.ImageAnnotations;
import org.retinanet.api.data.ImageInfo;
import org.retinanet.api.registry.UserException;
import org.retinanet.datasets.InMemoryDataset;
import org.retinanet.datasets.image.ImageDecoder;

/**
 * Plain image files, no ground truth. Sizes come from the file headers (after EXIF orientation).
 * ImageInfo ids: when every file name is all digits (COCO style, 000000397133.jpg) the number,
 * so that predictions can be scored against COCO annotations; otherwise the list index.
 */
public final class ImageListDataset extends InMemoryDataset {

    public ImageListDataset(String name, List<Path> files, List<String> classes) {
        super(name, categories(classes), images(files));
    }

    private static List<ImageAnnotations> images(List<Path> files) {
        boolean numeric = files.stream().allMatch(f -> stem(f).matches("\\d{1,18}"));
        Set<Long> seen = new HashSet<>();
        List<ImageAnnotations> list = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            int[] wh;
            try {
                wh = ImageDecoder.size(f);
            } catch (IOException e) {
                throw new UserException(e.getMessage(), e);
            }
            long id = numeric ? Long.parseLong(stem(f)) : i;
            if (!seen.add(id)) {
                id = i; // duplicate numeric names in different folders: fall back to indices
                numeric = false;
            }
            list.add(new ImageAnnotations(new ImageInfo(id, f, wh[0], wh[1]), List.of()));
        }
        if (!numeric) { // ids must be unique: all indices
            List<ImageAnnotations> renumbered = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                ImageInfo info = list.get(i).image();
                renumbered.add(
                        new ImageAnnotations(new ImageInfo(i, info.file(), info.width(), info.height()), List.of()));
            }
            list = renumbered;
        }
        return list;
    }

    private static List<Category> categories(List<String> classes) {
        List<Category> cats = new ArrayList<>();
        for (String c : classes) {
            cats.add(new Category(cats.size(), cats.size() + 1, c));
        }
        return cats;
    }

    private static String stem(Path f) {
        String s = f.getFileName().toString();
        int dot = s.lastIndexOf('.');
        return dot < 0 ? s : s.substring(0, dot);
    }
}
