package org.retinanet.experiments.tensorboard;

/**
 * A metric of an experiment (HParams plugin {@code MetricInfo}); {@code tag} is the scalar tag
 * the sessions write (for example {@code val/bbox_mAP}), {@code group} the run sub-directory
 * holding it, empty for the session's own directory.
 */
public record MetricInfo(String tag, String group, String displayName, String description, DatasetType datasetType) {

    /** Field values are the proto enum numbers. */
    public enum DatasetType {
        UNSET(0),
        TRAINING(1),
        VALIDATION(2);

        final int number;

        DatasetType(int number) {
            this.number = number;
        }

        static DatasetType of(long number) {
            for (DatasetType t : values()) {
                if (t.number == number) {
                    return t;
                }
            }
            return UNSET;
        }
    }

    public MetricInfo {
        if (tag == null || tag.isBlank()) {
            throw new IllegalArgumentException("metric: tag must not be empty");
        }
        group = group == null ? "" : group;
        datasetType = datasetType == null ? DatasetType.UNSET : datasetType;
    }

    public static MetricInfo of(String tag) {
        return new MetricInfo(tag, "", null, null, DatasetType.UNSET);
    }

    public static MetricInfo of(String tag, DatasetType datasetType) {
        return new MetricInfo(tag, "", null, null, datasetType);
    }
}
