package org.retinanet.experiments.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.CocoResultsJson;
import org.retinanet.api.data.Detection;

/**
 * Left only for TrainingRun's call, which is being edited elsewhere at the time of this change;
 * remove it once that call is {@link CocoResultsJson#write}.
 *
 * @deprecated use {@link CocoResultsJson}
 */
@Deprecated
public final class CocoResults {

    private CocoResults() {}

    public static void write(List<Detection> detections, List<Category> categories, Path file) throws IOException {
        CocoResultsJson.write(file, detections, categories);
    }
}
