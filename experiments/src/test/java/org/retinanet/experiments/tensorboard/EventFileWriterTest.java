package org.retinanet.experiments.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.experiments.tensorboard.EventFileReader.EventFile;
import org.retinanet.experiments.tensorboard.EventFileReader.HParamsData;
import org.retinanet.experiments.tensorboard.EventFileReader.SummaryValue;

class EventFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void fileNameAndFirstRecord() throws Exception {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir.resolve("run"), () -> 1700000000.25)) {
            file = w.file();
        }
        assertThat(file.getParent()).isEqualTo(dir.resolve("run"));
        assertThat(file.getFileName().toString())
                .matches("events\\.out\\.tfevents\\.1700000000\\.[A-Za-z0-9._-]+\\."
                        + ProcessHandle.current().pid());
        EventFile read = EventFileReader.read(file);
        assertThat(read.truncated()).isFalse();
        assertThat(read.events()).hasSize(1);
        assertThat(read.events().get(0).fileVersion()).isEqualTo("brain.Event:2");
        assertThat(read.events().get(0).wallTime()).isEqualTo(1700000000.25);
        assertThat(EventFileReader.find(dir.resolve("run"))).isEqualTo(file);
    }

    @Test
    void scalarsImagesAndHistogramsReadBack() throws Exception {
        BufferedImage rgb = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(3, 2, new Color(200, 10, 30).getRGB());
        rgb.setRGB(6, 4, Color.GREEN.getRGB());
        BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        double[] scores = {0.01, 0.02, 0.5, 0.99, 0.03, Double.NaN, 0.75};
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            for (int step = 0; step < 5; step++) {
                w.scalar("loss/cls", step * 10L, 1.0 / (step + 1));
                w.scalar("lr", step * 10L, 0.01 * step);
            }
            w.image("val/image_0", 40, rgb);
            w.image("val/gray", 40, gray);
            assertThat(w.histogram("scores/positive", 40, scores, 4)).isTrue();
            assertThat(w.histogram("scores/empty", 40, new double[] {Double.NaN}))
                    .isFalse();
        }
        EventFile read = EventFileReader.read(file);
        assertThat(read.truncated()).isFalse();
        assertThat(read.events()).hasSize(1 + 10 + 2 + 1);

        Map<Long, Float> cls = read.scalars("loss/cls");
        assertThat(cls.keySet()).containsExactly(0L, 10L, 20L, 30L, 40L);
        assertThat(cls.get(20L)).isEqualTo(1.0f / 3);
        assertThat(read.scalars("lr").get(40L)).isEqualTo((float) 0.04);

        SummaryValue image = read.values("val/image_0").get(0).value();
        assertThat(read.values("val/image_0").get(0).step()).isEqualTo(40);
        assertThat(image.image().height()).isEqualTo(5);
        assertThat(image.image().width()).isEqualTo(7);
        assertThat(image.image().colorspace()).isEqualTo(3);
        BufferedImage decoded = image.image().decode();
        assertThat(decoded.getRGB(3, 2) & 0xFFFFFF).isEqualTo(new Color(200, 10, 30).getRGB() & 0xFFFFFF);
        assertThat(decoded.getRGB(6, 4) & 0xFFFFFF).isEqualTo(0x00FF00);
        assertThat(read.values("val/gray").get(0).value().image().colorspace()).isEqualTo(1);

        Histogram h = read.values("scores/positive").get(0).value().histogram();
        assertThat(h.num()).isEqualTo(6); // the NaN is left out
        assertThat(h.min()).isEqualTo(0.01);
        assertThat(h.max()).isEqualTo(0.99);
        assertThat(h.sum()).isCloseTo(0.01 + 0.02 + 0.5 + 0.99 + 0.03 + 0.75, within(1e-12));
        assertThat(h.bucketLimits()).hasSize(4);
        assertThat(h.bucketLimits()[3]).isEqualTo(0.99);
        assertThat(h.bucketLimits()[0]).isCloseTo(0.255, within(1e-12));
        assertThat(h.bucketCounts()).containsExactly(3, 0, 1, 2);
        assertThat(read.values("scores/empty")).isEmpty();
    }

    @Test
    void histogramBucketsAreLeftClosedAndTheLastIsClosed() {
        Histogram h = Histogram.of(new double[] {0, 1, 2, 3}, 3);
        assertThat(h.bucketLimits()).containsExactly(1, 2, 3);
        assertThat(h.bucketCounts()).containsExactly(1, 1, 2);
        Histogram constant = Histogram.of(new double[] {2.5, 2.5}, 30);
        assertThat(constant.bucketLimits()).containsExactly(2.5);
        assertThat(constant.bucketCounts()).containsExactly(2);
        assertThat(constant.sumSquares()).isEqualTo(12.5);
    }

    @Test
    void hparamsSummariesFollowThePluginProtos() throws Exception {
        Path file;
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("loss", "focal");
        values.put("gamma", 2.0);
        values.put("lr", 0.01);
        values.put("frozen_bn", true);
        try (EventFileWriter w = new EventFileWriter(dir, () -> 1234.5)) {
            file = w.file();
            w.hparamsExperiment(
                    List.of(
                            HParamInfo.discrete("loss", List.of("focal", "ce", "ohem")),
                            HParamInfo.discrete("gamma", List.of(0.0, 0.5, 1.0, 2.0, 5.0)),
                            HParamInfo.interval("lr", 1e-4, 0.1),
                            HParamInfo.discrete("frozen_bn", List.of(true, false))),
                    List.of(
                            MetricInfo.of("val/bbox_mAP", MetricInfo.DatasetType.VALIDATION),
                            MetricInfo.of("train/loss")));
            w.sessionStartInfo(values, "gamma2_focal", 1000.0);
            w.scalar("val/bbox_mAP", 100, 0.25);
            w.sessionEndInfo(SessionStatus.SUCCESS, 2000.0);
        }
        EventFile read = EventFileReader.read(file);

        SummaryValue experimentValue =
                read.values("_hparams_/experiment").get(0).value();
        assertThat(experimentValue.pluginName()).isEqualTo("hparams");
        assertThat(experimentValue.tensor().dtype()).isEqualTo(1);
        assertThat(experimentValue.tensor().shape()).containsExactly(0L);
        HParamsData data = experimentValue.hparams();
        assertThat(data.version()).isZero();
        assertThat(data.sessionStart()).isNull();
        EventFileReader.Experiment experiment = data.experiment();
        assertThat(experiment.timeCreatedSecs()).isEqualTo(1234.5);
        assertThat(experiment.hparamInfos())
                .extracting(HParamInfo::name)
                .containsExactly("loss", "gamma", "lr", "frozen_bn");
        assertThat(experiment.hparamInfos().get(0).type()).isEqualTo(HParamInfo.Type.STRING);
        assertThat(experiment.hparamInfos().get(0).discreteDomain()).containsExactly("focal", "ce", "ohem");
        assertThat(experiment.hparamInfos().get(1).discreteDomain()).containsExactly(0.0, 0.5, 1.0, 2.0, 5.0);
        assertThat(experiment.hparamInfos().get(2).type()).isEqualTo(HParamInfo.Type.FLOAT64);
        assertThat(experiment.hparamInfos().get(2).intervalMin()).isEqualTo(1e-4);
        assertThat(experiment.hparamInfos().get(2).intervalMax()).isEqualTo(0.1);
        assertThat(experiment.hparamInfos().get(3).type()).isEqualTo(HParamInfo.Type.BOOL);
        assertThat(experiment.hparamInfos().get(3).discreteDomain()).containsExactly(true, false);
        assertThat(experiment.metricInfos())
                .containsExactly(
                        new MetricInfo("val/bbox_mAP", "", null, null, MetricInfo.DatasetType.VALIDATION),
                        new MetricInfo("train/loss", "", null, null, MetricInfo.DatasetType.UNSET));

        EventFileReader.SessionStart start = read.values("_hparams_/session_start_info")
                .get(0)
                .value()
                .hparams()
                .sessionStart();
        assertThat(start.hparams()).containsExactlyEntriesOf(values);
        assertThat(start.groupName()).isEqualTo("gamma2_focal");
        assertThat(start.startTimeSecs()).isEqualTo(1000.0);

        EventFileReader.SessionEnd end = read.values("_hparams_/session_end_info")
                .get(0)
                .value()
                .hparams()
                .sessionEnd();
        assertThat(end.status()).isEqualTo(SessionStatus.SUCCESS);
        assertThat(end.endTimeSecs()).isEqualTo(2000.0);
        assertThat(read.scalars("val/bbox_mAP")).containsEntry(100L, 0.25f);
    }

    @Test
    void concurrentWritersProduceWholeRecords() throws Exception {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            file = w.file();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String tag = "thread" + t;
                done.add(pool.submit(() -> {
                    for (int step = 0; step < 200; step++) {
                        w.scalar(tag, step, step);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        EventFile read = EventFileReader.read(file);
        assertThat(read.events()).hasSize(1 + 800);
        for (int t = 0; t < 4; t++) {
            assertThat(read.scalars("thread" + t)).hasSize(200).containsEntry(199L, 199f);
        }
    }
}
