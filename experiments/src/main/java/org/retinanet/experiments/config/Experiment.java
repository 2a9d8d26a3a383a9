package org.retinanet.experiments.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.retinanet.api.config.ConfigLoader;
import org.retinanet.api.data.Category;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;

/**
 * A resolved experiment: the merged config tree (what is saved with a run), its typed view, and
 * where relative paths in it resolve.
 */
public record Experiment(ConfigLoader.Resolved resolved, ExperimentConfig config, Path baseDir) {

    /** Loads a config file, or a preset when {@code configOrPreset} names no existing file. */
    public static Experiment load(String configOrPreset, List<String> overrides, Registry registry) {
        Path file = Path.of(configOrPreset);
        ConfigLoader.Resolved resolved;
        Path baseDir;
        if (Files.exists(file)) {
            resolved = ConfigLoader.load(file, overrides);
            baseDir = file.toAbsolutePath().getParent();
        } else if (ConfigLoader.presetExists(configOrPreset)) {
            resolved = ConfigLoader.loadPreset(configOrPreset, overrides);
            baseDir = Path.of("").toAbsolutePath();
        } else {
            throw new UserException("config " + configOrPreset + ": no such file, and no preset of that name"
                    + " (list presets with `retinanet inspect --presets`)");
        }
        if (!resolved.tree().has("name")) {
            String n = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            resolved.tree().put("name", n);
        }
        return new Experiment(resolved, resolved.bind(registry, ExperimentConfig.class), baseDir);
    }

    /** The training dataset, built through its plugin. */
    public DetectionDataset trainDataset(Registry registry) {
        SplitConfig split =
                requireSplit(config.data() == null ? null : config.data().train(), "data.train");
        return registry.dataset(split.dataset(), new DatasetContext(baseDir, true, config.seed()));
    }

    /** The validation dataset, built through its plugin. */
    public DetectionDataset valDataset(Registry registry) {
        SplitConfig split =
                requireSplit(config.data() == null ? null : config.data().val(), "data.val");
        return registry.dataset(split.dataset(), new DatasetContext(baseDir, false, config.seed()));
    }

    /**
     * The class count: {@code model.numClasses}, else the training (or validation) dataset's.
     */
    public int numClasses(Registry registry) {
        if (config.model().numClasses() != null) {
            return config.model().numClasses();
        }
        if (config.data() != null && config.data().train() != null) {
            return categories(registry, false).size();
        }
        if (config.data() != null && config.data().val() != null) {
            return categories(registry, true).size();
        }
        throw new UserException("config " + resolved.origin() + ": set model.numClasses or configure data.train");
    }

    /**
     * The categories of {@code data.val} or {@code data.train}, from the annotations only: the
     * images are neither checked nor read (they may be on another machine).
     */
    public List<Category> categories(Registry registry, boolean val) {
        SplitConfig split = config.data() == null
                ? null
                : val ? config.data().val() : config.data().train();
        DatasetContext annotationsOnly = new DatasetContext(baseDir, !val, config.seed(), false);
        return registry.dataset(
                        requireSplit(split, val ? "data.val" : "data.train").dataset(), annotationsOnly)
                .categories();
    }

    public String yaml() {
        return ConfigLoader.toYaml(resolved.tree());
    }

    private SplitConfig requireSplit(SplitConfig split, String path) {
        if (split == null || split.dataset() == null) {
            throw new UserException("config " + resolved.origin() + ": " + path + ".dataset is missing");
        }
        return split;
    }
}
