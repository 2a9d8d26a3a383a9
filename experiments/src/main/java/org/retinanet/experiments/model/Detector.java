package org.retinanet.experiments.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.retinanet.api.data.Detection;
import org.retinanet.api.model.Backbone;
import org.retinanet.api.model.DenseHead;
import org.retinanet.api.model.DetectionBatch;
import org.retinanet.api.model.HeadOutput;
import org.retinanet.api.model.LossOutput;
import org.retinanet.api.model.Neck;
import org.retinanet.api.model.TorchNames;
import org.retinanet.api.nn.HalfPrecision;

/**
 * A single-stage detector: backbone, then neck, then dense head. Children are named as
 * mmdetection names them ({@code backbone}, {@code neck}, {@code bbox_head}), so the detector's
 * native parameter keys are mmdetection's checkpoint keys.
 */
public final class Detector extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Backbone backbone;
    private final Neck neck;
    private final DenseHead head;

    public Detector(Backbone backbone, Neck neck, DenseHead head) {
        super(VERSION);
        this.backbone = addChildBlock("backbone", backbone);
        this.neck = addChildBlock("neck", neck);
        this.head = addChildBlock("bbox_head", head);
    }

    public Backbone backbone() {
        return backbone;
    }

    public Neck neck() {
        return neck;
    }

    public DenseHead head() {
        return head;
    }

    /** Images (N, 3, H, W) to the head's raw outputs: per-level logit maps, then per-level delta maps. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = backbone.forward(ps, inputs, training, params);
        NDList pyramid = neck.forward(ps, features, training, params);
        return head.forward(ps, pyramid, training, params);
    }

    /** Forward plus the training losses of {@code batch}. */
    public LossOutput loss(ParameterStore ps, DetectionBatch batch, boolean training) {
        return loss(ps, batch, training, DataType.FLOAT32);
    }

    /**
     * Forward in {@code compute} (the store hands out weights of that type) plus the losses, which,
     * as mmdetection's {@code force_fp32} keeps them, are computed in float32.
     */
    public LossOutput loss(ParameterStore ps, DetectionBatch batch, boolean training, DataType compute) {
        return head.loss(headOutput(ps, batch, training, compute), batch);
    }

    /** Forward in inference mode plus post-processing. */
    public List<List<Detection>> detect(ParameterStore ps, DetectionBatch batch) {
        return detect(ps, batch, DataType.FLOAT32);
    }

    /** Forward in inference mode in {@code compute}, then post-processing in float32. */
    public List<List<Detection>> detect(ParameterStore ps, DetectionBatch batch, DataType compute) {
        return head.detect(headOutput(ps, batch, false, compute), batch.metas());
    }

    /**
     * The head's outputs for {@code batch}, the forward in {@code compute} (images cast to it, the
     * store handing out weights of that type), the outputs in float32 for losses and post-processing.
     */
    public HeadOutput headOutput(ParameterStore ps, DetectionBatch batch, boolean training, DataType compute) {
        NDArray images = batch.images();
        NDList outputs = forward(ps, new NDList(HalfPrecision.cast(images, compute)), training);
        return new HeadOutput(HalfPrecision.toFloat32(outputs));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] features = backbone.getOutputShapes(inputShapes);
        neck.initialize(manager, dataType, features);
        head.initialize(manager, dataType, neck.getOutputShapes(features));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(neck.getOutputShapes(backbone.getOutputShapes(inputShapes)));
    }

    /** Parameter counts per component (backbone, neck, bbox_head), trainable or not. */
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("backbone", count(backbone));
        counts.put("neck", count(neck));
        counts.put("bbox_head", count(head));
        return counts;
    }

    static long count(ai.djl.nn.Block block) {
        long n = 0;
        for (Parameter p : TorchNames.parameters(block).values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN
                    && p.getType() != Parameter.Type.RUNNING_VAR
                    && !p.getName().startsWith("running")) {
                n += p.getArray().size();
            }
        }
        return n;
    }
}
