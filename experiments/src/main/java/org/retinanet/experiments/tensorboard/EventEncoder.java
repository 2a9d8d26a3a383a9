package org.retinanet.experiments.tensorboard;

import java.util.List;
import java.util.Map;

/**
 * Serialises TensorBoard's Event / Summary / Value messages and the HParams plugin data (field
 * numbers: tensorboard/compat/proto/{event,summary,histogram,tensor}.proto and
 * plugins/hparams/{api,plugin_data}.proto).
 */
final class EventEncoder {

    static final String FILE_VERSION = "brain.Event:2";
    static final String HPARAMS_PLUGIN = "hparams";
    static final String EXPERIMENT_TAG = "_hparams_/experiment";
    static final String SESSION_START_TAG = "_hparams_/session_start_info";
    static final String SESSION_END_TAG = "_hparams_/session_end_info";

    private static final int DT_FLOAT = 1;

    private EventEncoder() {}

    static byte[] fileVersionEvent(double wallTime) {
        return new ProtoOutput().float64(1, wallTime).string(3, FILE_VERSION).toByteArray();
    }

    static byte[] summaryEvent(double wallTime, long step, ProtoOutput value) {
        ProtoOutput summary = new ProtoOutput().message(1, value);
        return new ProtoOutput()
                .float64(1, wallTime)
                .int64(2, step)
                .message(5, summary)
                .toByteArray();
    }

    static ProtoOutput scalarValue(String tag, float value) {
        return new ProtoOutput().string(1, tag).float32(2, value);
    }

    static ProtoOutput imageValue(String tag, int height, int width, int colorspace, byte[] png) {
        ProtoOutput image = new ProtoOutput()
                .int32(1, height)
                .int32(2, width)
                .int32(3, colorspace)
                .bytes(4, png);
        return new ProtoOutput().string(1, tag).message(4, image);
    }

    static ProtoOutput histogramValue(String tag, Histogram h) {
        ProtoOutput histo = new ProtoOutput()
                .float64(1, h.min())
                .float64(2, h.max())
                .float64(3, h.num())
                .float64(4, h.sum())
                .float64(5, h.sumSquares())
                .packedDoubles(6, h.bucketLimits())
                .packedDoubles(7, h.bucketCounts());
        return new ProtoOutput().string(1, tag).message(5, histo);
    }

    /** An HParams summary: plugin metadata holding the plugin data, and the null tensor (float, shape [0]). */
    static ProtoOutput hparamsValue(String tag, int dataField, ProtoOutput data) {
        byte[] pluginData = new ProtoOutput().message(dataField, data).toByteArray(); // version 0 is the default
        ProtoOutput metadata = new ProtoOutput()
                .message(1, new ProtoOutput().string(1, HPARAMS_PLUGIN).bytes(2, pluginData));
        ProtoOutput nullTensor = new ProtoOutput()
                .int32(1, DT_FLOAT)
                .message(2, new ProtoOutput().message(2, new ProtoOutput().int64(1, 0)));
        return new ProtoOutput().string(1, tag).message(9, metadata).message(8, nullTensor);
    }

    static ProtoOutput experiment(List<HParamInfo> hparams, List<MetricInfo> metrics, double timeCreatedSecs) {
        ProtoOutput experiment = new ProtoOutput().float64(3, timeCreatedSecs);
        for (HParamInfo h : hparams) {
            ProtoOutput info = new ProtoOutput().string(1, h.name());
            optionalString(info, 2, h.displayName());
            optionalString(info, 3, h.description());
            info.int32(4, h.type().number);
            if (h.discreteDomain() != null) {
                ProtoOutput list = new ProtoOutput();
                for (Object v : h.discreteDomain()) {
                    list.message(1, structValue(v));
                }
                info.message(5, list);
            } else if (h.intervalMin() != null) {
                info.message(6, new ProtoOutput().float64(1, h.intervalMin()).float64(2, h.intervalMax()));
            }
            experiment.message(4, info);
        }
        for (MetricInfo m : metrics) {
            ProtoOutput info = new ProtoOutput()
                    .message(1, new ProtoOutput().string(1, m.group()).string(2, m.tag()));
            optionalString(info, 3, m.displayName());
            optionalString(info, 4, m.description());
            info.int32(5, m.datasetType().number);
            experiment.message(5, info);
        }
        return experiment;
    }

    static ProtoOutput sessionStart(Map<String, ?> hparams, String groupName, double startTimeSecs) {
        ProtoOutput start = new ProtoOutput();
        for (Map.Entry<String, ?> e : hparams.entrySet()) {
            start.message(1, new ProtoOutput().string(1, e.getKey()).message(2, structValue(e.getValue())));
        }
        optionalString(start, 4, groupName);
        return start.float64(5, startTimeSecs);
    }

    static ProtoOutput sessionEnd(SessionStatus status, double endTimeSecs) {
        return new ProtoOutput().int32(1, status.ordinal()).float64(2, endTimeSecs);
    }

    /** google.protobuf.Value: number_value=2, string_value=3, bool_value=4. */
    static ProtoOutput structValue(Object v) {
        return switch (HParamInfo.typeOf(v)) {
            case STRING -> new ProtoOutput().string(3, (String) v);
            case BOOL -> new ProtoOutput().bool(4, (Boolean) v);
            case FLOAT64 -> new ProtoOutput().float64(2, ((Number) v).doubleValue());
            case UNSET -> throw new IllegalStateException();
        };
    }

    private static void optionalString(ProtoOutput out, int field, String value) {
        if (value != null && !value.isEmpty()) {
            out.string(field, value);
        }
    }
}
