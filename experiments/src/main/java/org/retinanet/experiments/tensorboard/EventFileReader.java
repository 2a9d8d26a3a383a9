package org.retinanet.experiments.tensorboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads a TensorBoard event file, written from the format spec independently of the writer:
 * checks both CRCs of every record and decodes Event, Summary.Value (simple values, images,
 * histograms, plugin metadata, tensor shape) and the HParams plugin data. A last record cut short
 * (a writer killed mid-write) is reported as truncation, with every complete record before it.
 */
public final class EventFileReader {

    private EventFileReader() {}

    /** The decoded file; {@code truncatedAt} is the offset of an incomplete last record, or -1. */
    public record EventFile(Path file, List<Event> events, long truncatedAt) {

        public boolean truncated() {
            return truncatedAt >= 0;
        }

        /** Every value with this tag, in file order, with the step of its event. */
        public List<TaggedValue> values(String tag) {
            List<TaggedValue> out = new ArrayList<>();
            for (Event e : events) {
                for (SummaryValue v : e.values()) {
                    if (v.tag().equals(tag)) {
                        out.add(new TaggedValue(e.step(), e.wallTime(), v));
                    }
                }
            }
            return out;
        }

        /** step to simple value of the scalar {@code tag}, in file order (a later step overwrites). */
        public Map<Long, Float> scalars(String tag) {
            Map<Long, Float> out = new LinkedHashMap<>();
            for (TaggedValue t : values(tag)) {
                if (t.value().simpleValue() != null) {
                    out.put(t.step(), t.value().simpleValue());
                }
            }
            return out;
        }
    }

    public record TaggedValue(long step, double wallTime, SummaryValue value) {}

    public record Event(long offset, double wallTime, long step, String fileVersion, List<SummaryValue> values) {}

    /** One Summary.Value; fields that the value does not carry are null. */
    public record SummaryValue(
            String tag,
            Float simpleValue,
            Image image,
            Histogram histogram,
            String pluginName,
            byte[] pluginContent,
            Tensor tensor) {

        /** The HParams plugin data, or null when this is not an HParams summary. */
        public HParamsData hparams() {
            return EventFileReader.HPARAMS_PLUGIN.equals(pluginName) ? decodeHParams(pluginContent) : null;
        }
    }

    public record Image(int height, int width, int colorspace, byte[] encoded) {

        public BufferedImage decode() throws IOException {
            return ImageIO.read(new ByteArrayInputStream(encoded));
        }
    }

    public record Tensor(int dtype, long[] shape) {}

    /** Exactly one of the three is set. */
    public record HParamsData(int version, Experiment experiment, SessionStart sessionStart, SessionEnd sessionEnd) {}

    public record Experiment(double timeCreatedSecs, List<HParamInfo> hparamInfos, List<MetricInfo> metricInfos) {}

    public record SessionStart(Map<String, Object> hparams, String groupName, double startTimeSecs) {}

    public record SessionEnd(SessionStatus status, double endTimeSecs) {}

    private static final String HPARAMS_PLUGIN = "hparams";

    public static EventFile read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Event> events = new ArrayList<>();
        int offset = 0;
        while (offset < bytes.length) {
            int remaining = bytes.length - offset;
            if (remaining < RecordFraming.HEADER_BYTES) {
                return new EventFile(file, events, offset);
            }
            long length = RecordFraming.getLittleEndian(bytes, offset, 8);
            int lengthCrc = (int) RecordFraming.getLittleEndian(bytes, offset + 8, 4);
            if (lengthCrc != RecordFraming.maskedCrc32c(bytes, offset, 8)) {
                throw new CorruptEventFileException(file, offset, "length CRC mismatch");
            }
            if (length > remaining - RecordFraming.HEADER_BYTES - RecordFraming.FOOTER_BYTES || length < 0) {
                return new EventFile(file, events, offset);
            }
            int dataStart = offset + RecordFraming.HEADER_BYTES;
            int dataCrc = (int) RecordFraming.getLittleEndian(bytes, dataStart + (int) length, 4);
            if (dataCrc != RecordFraming.maskedCrc32c(bytes, dataStart, (int) length)) {
                throw new CorruptEventFileException(file, offset, "data CRC mismatch (" + length + " data bytes)");
            }
            byte[] data = new byte[(int) length];
            System.arraycopy(bytes, dataStart, data, 0, data.length);
            try {
                events.add(decodeEvent(offset, data));
            } catch (IllegalArgumentException e) {
                throw new CorruptEventFileException(file, offset, "bad Event message: " + e.getMessage());
            }
            offset = dataStart + (int) length + RecordFraming.FOOTER_BYTES;
        }
        return new EventFile(file, events, -1);
    }

    /** The one event file of a run directory ({@code *tfevents*}); an error when there is none or several. */
    public static Path find(Path runDir) throws IOException {
        try (var files = Files.list(runDir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().contains("tfevents"))
                    .sorted()
                    .toList();
            if (found.size() != 1) {
                throw new IOException(runDir + ": expected one event file, found " + found.size());
            }
            return found.get(0);
        }
    }

    private static Event decodeEvent(long offset, byte[] data) {
        ProtoInput event = ProtoInput.parse(data);
        List<SummaryValue> values = new ArrayList<>();
        ProtoInput summary = event.message(5);
        if (summary != null) {
            for (ProtoInput v : summary.messages(1)) {
                values.add(decodeValue(v));
            }
        }
        return new Event(offset, event.float64(1, 0), event.varint(2, 0), event.string(3), List.copyOf(values));
    }

    private static SummaryValue decodeValue(ProtoInput v) {
        Image image = null;
        ProtoInput img = v.message(4);
        if (img != null) {
            image = new Image((int) img.varint(1, 0), (int) img.varint(2, 0), (int) img.varint(3, 0), img.bytes(4));
        }
        Histogram histogram = null;
        ProtoInput h = v.message(5);
        if (h != null) {
            histogram = new Histogram(
                    h.float64(1, 0),
                    h.float64(2, 0),
                    h.float64(3, 0),
                    h.float64(4, 0),
                    h.float64(5, 0),
                    h.doubles(6),
                    h.doubles(7));
        }
        String pluginName = null;
        byte[] pluginContent = null;
        ProtoInput metadata = v.message(9);
        if (metadata != null && metadata.message(1) != null) {
            pluginName = metadata.message(1).string(1);
            pluginContent = metadata.message(1).bytes(2);
        }
        Tensor tensor = null;
        ProtoInput t = v.message(8);
        if (t != null) {
            ProtoInput shape = t.message(2);
            List<ProtoInput> dims = shape == null ? List.of() : shape.messages(2);
            tensor = new Tensor(
                    (int) t.varint(1, 0),
                    dims.stream().mapToLong(d -> d.varint(1, 0)).toArray());
        }
        return new SummaryValue(v.string(1), v.float32(2), image, histogram, pluginName, pluginContent, tensor);
    }

    static HParamsData decodeHParams(byte[] content) {
        ProtoInput data = ProtoInput.parse(content == null ? new byte[0] : content);
        int version = (int) data.varint(1, 0);
        ProtoInput exp = data.message(2);
        ProtoInput start = data.message(3);
        ProtoInput end = data.message(4);
        return new HParamsData(
                version,
                exp == null ? null : decodeExperiment(exp),
                start == null ? null : decodeSessionStart(start),
                end == null ? null : new SessionEnd(SessionStatus.of(end.varint(1, 0)), end.float64(2, 0)));
    }

    private static Experiment decodeExperiment(ProtoInput exp) {
        List<HParamInfo> hparams = new ArrayList<>();
        for (ProtoInput h : exp.messages(4)) {
            List<Object> discrete = null;
            if (h.has(5)) {
                discrete = new ArrayList<>();
                for (ProtoInput value : h.message(5).messages(1)) {
                    discrete.add(decodeStructValue(value));
                }
            }
            ProtoInput interval = h.message(6);
            hparams.add(new HParamInfo(
                    h.string(1),
                    HParamInfo.Type.of(h.varint(4, 0)),
                    discrete,
                    interval == null ? null : interval.float64(1, 0),
                    interval == null ? null : interval.float64(2, 0),
                    h.string(2),
                    h.string(3)));
        }
        List<MetricInfo> metrics = new ArrayList<>();
        for (ProtoInput m : exp.messages(5)) {
            ProtoInput name = m.message(1);
            metrics.add(new MetricInfo(
                    name == null ? null : name.string(2),
                    name == null ? "" : name.string(1),
                    m.string(3),
                    m.string(4),
                    MetricInfo.DatasetType.of(m.varint(5, 0))));
        }
        return new Experiment(exp.float64(3, 0), hparams, metrics);
    }

    private static SessionStart decodeSessionStart(ProtoInput start) {
        Map<String, Object> hparams = new LinkedHashMap<>();
        for (ProtoInput entry : start.messages(1)) {
            ProtoInput value = entry.message(2);
            hparams.put(entry.string(1), value == null ? null : decodeStructValue(value));
        }
        return new SessionStart(hparams, start.string(4), start.float64(5, 0));
    }

    /** google.protobuf.Value: number (2) as Double, string (3), bool (4); null otherwise. */
    private static Object decodeStructValue(ProtoInput value) {
        if (value.has(2)) {
            return value.float64(2, 0);
        }
        if (value.has(3)) {
            return value.string(3);
        }
        if (value.has(4)) {
            return value.varint(4, 0) != 0;
        }
        return null;
    }
}
