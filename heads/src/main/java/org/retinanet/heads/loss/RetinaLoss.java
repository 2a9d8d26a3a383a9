package org.retinanet.heads.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.box.Assigner;
import org.retinanet.api.box.BoxCoder;
import org.retinanet.api.box.GridSize;
import org.retinanet.api.box.PriorGenerator;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.ImageMeta;
import org.retinanet.api.loss.BoxInput;
import org.retinanet.api.loss.BoxLoss;
import org.retinanet.api.loss.ClassificationInput;
import org.retinanet.api.loss.ClassificationLoss;
import org.retinanet.api.loss.LossValue;
import org.retinanet.api.model.LossOutput;

/**
 * Training targets and loss assembly of the RetinaNet head: anchors and valid masks per image,
 * max-IoU assignment, labels (N, M) int32 (class, K for background, -1 ignored or invalid),
 * encoded targets for positives, then the box loss and the classification loss from their plugins,
 * normalised by {@link LossNormalizer}. Weighting is the loss plugins' business.
 */
public final class RetinaLoss {

    /** Negative anchors sampled for the {@code scores_neg} diagnostic. */
    static final int NEGATIVE_SAMPLE = 1000;

    private final PriorGenerator anchors;
    private final Assigner assigner;
    private final BoxCoder coder;
    private final ClassificationLoss classificationLoss;
    private final BoxLoss boxLoss;
    private final LossNormalizer normalizer;
    private final int numClasses;

    public RetinaLoss(
            PriorGenerator anchors,
            Assigner assigner,
            BoxCoder coder,
            ClassificationLoss classificationLoss,
            BoxLoss boxLoss,
            LossNormalizer normalizer,
            int numClasses) {
        this.anchors = anchors;
        this.assigner = assigner;
        this.coder = coder;
        this.classificationLoss = classificationLoss;
        this.boxLoss = boxLoss;
        this.normalizer = normalizer;
        this.numClasses = numClasses;
    }

    /** Targets of a batch: labels (N, M) int32, target boxes (N, M, 4), positive weights (N, M). */
    public record Targets(NDArray labels, NDArray targetBoxes, NDArray weights) {}

    /**
     * @param clsLevels per level (N, HWA, K)
     * @param boxLevels per level (N, HWA, 4)
     */
    public LossOutput compute(
            List<NDArray> clsLevels,
            List<NDArray> boxLevels,
            List<GridSize> grids,
            int paddedHeight,
            int paddedWidth,
            List<ImageMeta> metas,
            List<BoxTargets> gt) {
        if (classificationLoss == null || boxLoss == null) {
            throw new IllegalStateException("the head was built without classification / box losses (HeadContext)");
        }
        NDManager parent = clsLevels.get(0).getManager();
        try (NDManager m = parent.newSubManager()) {
            for (NDArray a : clsLevels) {
                m.tempAttachAll(a);
            }
            for (NDArray a : boxLevels) {
                m.tempAttachAll(a);
            }
            NDArray logits = NDArrays.concat(new NDList(clsLevels), 1);
            NDArray deltas = NDArrays.concat(new NDList(boxLevels), 1);
            NDArray anchorBoxes = anchors.priors(m, grids, paddedHeight, paddedWidth);
            Targets t = targets(m, anchorBoxes, grids, paddedHeight, paddedWidth, metas, gt);

            NDArray targetDeltas = coder.encode(anchorBoxes.expandDims(0), t.targetBoxes());
            NDArray decoded = null;
            if (boxLoss.needsDecodedBoxes() || classificationLoss.needsBoxInputs()) {
                decoded = coder.decode(anchorBoxes.expandDims(0), deltas, null, null);
            }
            NDArray boxPerAnchor = boxLoss.compute(new BoxInput(
                    deltas,
                    targetDeltas,
                    t.weights(),
                    boxLoss.needsDecodedBoxes() ? decoded : null,
                    boxLoss.needsDecodedBoxes() ? t.targetBoxes() : null));
            ClassificationInput clsInput = classificationLoss.needsBoxInputs()
                    ? new ClassificationInput(logits, t.labels(), boxPerAnchor.stopGradient(), decoded.stopGradient())
                    : new ClassificationInput(logits, t.labels(), null, null);
            LossValue cls = classificationLoss.compute(clsInput);
            Shape perImage = new Shape(gt.size());
            if (!boxPerAnchor.getShape().equals(t.weights().getShape())) {
                throw new IllegalStateException(
                        "box loss " + boxLoss.getClass().getSimpleName() + " returned shape " + boxPerAnchor.getShape()
                                + ", expected per anchor " + t.weights().getShape());
            }
            if (!cls.perImage().getShape().equals(perImage)) {
                throw new IllegalStateException(
                        "classification loss " + classificationLoss.getClass().getSimpleName() + " returned shape "
                                + cls.perImage().getShape() + ", expected per image " + perImage);
            }

            NDArray numPositives = t.weights().sum(new int[] {1});
            LossNormalizer.Batch norm = normalizer.begin(numPositives);
            NDArray lossCls = norm.apply(cls.perImage(), cls.ownNormalizer());
            NDArray lossBox = norm.apply(boxPerAnchor.sum(new int[] {1}), null);
            NDArray total = lossCls.add(lossBox);

            Map<String, NDArray> components = new LinkedHashMap<>();
            components.put("loss_cls", lossCls);
            components.put("loss_bbox", lossBox);
            Map<String, NDArray> diagnostics = diagnostics(m, logits.stopGradient(), t);
            for (NDArray a : components.values()) {
                a.attach(parent);
            }
            total.attach(parent);
            for (NDArray a : diagnostics.values()) {
                a.attach(parent);
            }
            return new LossOutput(components, total, diagnostics);
        }
    }

    /** Assignment of every image of the batch, arrays on {@code m}. */
    public Targets targets(
            NDManager m,
            NDArray anchorBoxes,
            List<GridSize> grids,
            int paddedHeight,
            int paddedWidth,
            List<ImageMeta> metas,
            List<BoxTargets> gt) {
        if (metas.size() != gt.size()) {
            throw new IllegalArgumentException(
                    "batch has " + metas.size() + " image metas but " + gt.size() + " targets");
        }
        long numAnchors = anchorBoxes.getShape().get(0);
        NDList labels = new NDList();
        NDList boxes = new NDList();
        NDList weights = new NDList();
        for (int i = 0; i < gt.size(); i++) {
            ImageMeta meta = metas.get(i);
            NDArray valid = anchors.validMask(m, grids, paddedHeight, paddedWidth, meta.height(), meta.width());
            BoxTargets target = gt.get(i);
            int numGt = 0;
            for (boolean ignore : target.ignore()) {
                numGt += ignore ? 0 : 1;
            }
            float[] gtBoxes = new float[numGt * 4];
            long[] gtLabels = new long[numGt];
            float[] ignoreBoxes = new float[(target.size() - numGt) * 4];
            for (int j = 0, g = 0, ig = 0; j < target.size(); j++) {
                if (target.ignore()[j]) {
                    System.arraycopy(target.boxes(), 4 * j, ignoreBoxes, 4 * ig++, 4);
                } else {
                    int label = target.labels()[j];
                    if (label < 0 || label >= numClasses) {
                        throw new IllegalArgumentException("image " + meta.imageId() + ": gt label " + label
                                + " is outside 0.." + (numClasses - 1));
                    }
                    gtLabels[g] = label;
                    System.arraycopy(target.boxes(), 4 * j, gtBoxes, 4 * g++, 4);
                }
            }
            NDArray gtArray = m.create(gtBoxes, new Shape(numGt, 4));
            NDArray ignoreArray = m.create(ignoreBoxes, new Shape(ignoreBoxes.length / 4, 4));
            NDArray matches = assigner.assign(anchorBoxes, valid, gtArray, ignoreArray);

            NDArray positive = matches.gte(0);
            NDArray background = m.full(new Shape(numAnchors), (float) numClasses, DataType.INT64);
            NDArray ignored = m.full(new Shape(numAnchors), -1f, DataType.INT64);
            NDArray label = NDArrays.where(matches.eq(Assigner.NEGATIVE), background, ignored);
            NDArray targetBoxes = anchorBoxes;
            if (numGt > 0) {
                NDArray matched = matches.maximum(0);
                label = NDArrays.where(positive, m.create(gtLabels).get(new NDIndex("{}", matched)), label);
                // non-positives target their own anchor: zero deltas, never NaN from log(0)
                targetBoxes = NDArrays.where(
                        positive.expandDims(1).broadcast(anchorBoxes.getShape()),
                        gtArray.get(new NDIndex("{}", matched)),
                        anchorBoxes);
            }
            labels.add(label.toType(DataType.INT32, false));
            boxes.add(targetBoxes);
            weights.add(positive.toType(DataType.FLOAT32, false));
        }
        return new Targets(NDArrays.stack(labels), NDArrays.stack(boxes), NDArrays.stack(weights));
    }

    private Map<String, NDArray> diagnostics(NDManager m, NDArray logits, Targets t) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NDArray positive = t.weights().gt(0f);
        out.put("num_pos", t.weights().sum());
        NDArray gathered = logits.gather(
                        t.labels()
                                .clip(0, numClasses - 1)
                                .toType(DataType.INT64, false)
                                .expandDims(2),
                        2)
                .squeeze(2);
        out.put("scores_pos", Activation.sigmoid(gathered.booleanMask(positive)));
        // evenly spaced negatives (at most NEGATIVE_SAMPLE), each at its highest class score; no
        // random draw, so that logging leaves the engine's random stream as training alone leaves it
        NDArray negatives = t.labels().eq(numClasses).flatten().nonzero().flatten();
        long n = negatives.getShape().get(0);
        out.put("num_neg", m.create((float) n));
        int k = (int) Math.min(NEGATIVE_SAMPLE, n);
        long[] positions = new long[k];
        for (int i = 0; i < k; i++) {
            positions[i] = i * n / k;
        }
        NDArray picked = negatives.get(new NDIndex("{}", m.create(positions)));
        NDArray negScores =
                Activation.sigmoid(logits.max(new int[] {2}).flatten().get(new NDIndex("{}", picked)));
        out.put("scores_neg", negScores);
        return out;
    }
}
