package org.retinanet.api.data;

import java.util.List;

/** Scores detections against a dataset's ground truth (COCO's 12 numbers, VOC mAP, ...). */
public interface DetectionEvaluator {

    EvaluationResult evaluate(DetectionDataset groundTruth, List<Detection> detections);
}
