package org.retinanet.experiments.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.registry.UserException;

class GridSpecTest {

    @TempDir
    Path dir;

    private GridSpec write(String yaml) throws Exception {
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, yaml);
        return GridSpec.read(f);
    }

    @Test
    void axesZipAndSeedsExpandToNamedCells() throws Exception {
        GridSpec spec = write("""
                base: retinanet_r18_fpn_shapes
                axes:
                  model.lossCls: [{type: focal, gamma: 2.0}, {type: ce}]
                zip:
                  - {model.head.anchors.scalesPerOctave: [1, 3], model.head.anchors.ratios: [[1.0], [0.5, 1.0, 2.0]]}
                seeds: [0, 1]
                """);
        List<GridCell> cells = spec.cells();
        assertThat(cells).hasSize(2 * 2 * 2);
        assertThat(cells.get(0).name()).isEqualTo("lossCls=focal,gamma2.0_scalesPerOctave=1_ratios=1.0__seed0");
        assertThat(cells.get(0).group()).isEqualTo("lossCls=focal,gamma2.0_scalesPerOctave=1_ratios=1.0");
        assertThat(cells.get(3).name()).isEqualTo("lossCls=focal,gamma2.0_scalesPerOctave=3_ratios=0.5+1.0+2.0__seed1");
        assertThat(cells.get(4).values().get("model.lossCls").toString()).isEqualTo("{\"type\":\"ce\"}");
        assertThat(cells.get(3).overrides())
                .containsExactly(
                        "model.lossCls={\"type\":\"focal\",\"gamma\":2.0}",
                        "model.head.anchors.scalesPerOctave=3",
                        "model.head.anchors.ratios=[0.5,1.0,2.0]",
                        "seed=1",
                        "name=lossCls=focal,gamma2.0_scalesPerOctave=3_ratios=0.5+1.0+2.0__seed1");
        assertThat(cells.stream().map(GridCell::name).distinct()).hasSize(8);
    }

    @Test
    void dryRunResolvesEveryCellAndShowsOnlyDifferences() throws Exception {
        GridSpec spec = write("""
                base: retinanet_r18_fpn_shapes
                set: [train.epochs=1]
                axes:
                  model.lossCls: [{type: focal, gamma: 2.0, alpha: 0.25}, {type: ce}]
                """);
        GridRunner runner = new GridRunner(spec, dir.resolve("work"), 1, List.of(), Registry.create(List.of()), 0);
        List<GridPlan.Cell> plans = runner.plan();
        assertThat(plans).hasSize(2);
        Map<String, Object> focal = plans.get(0).differences();
        assertThat(focal).containsEntry("model.lossCls.type", "focal").containsEntry("model.lossCls.gamma", 2.0);
        assertThat(plans.get(1).differences())
                .containsEntry("model.lossCls.type", "ce")
                .containsEntry("model.lossCls.gamma", null);
        assertThat(focal.keySet()).noneMatch(k -> k.startsWith("train.") || k.startsWith("data."));
        assertThat(plans.get(0).experiment().config().train().epochs()).isEqualTo(1);
    }

    @Test
    void aTypoInOneCellFailsBeforeAnythingRuns() throws Exception {
        GridSpec spec = write("""
                base: retinanet_r18_fpn_shapes
                axes:
                  model.lossCls: [{type: focal}, {type: focall}]
                """);
        GridRunner runner = new GridRunner(spec, dir.resolve("work"), 1, List.of(), Registry.create(List.of()), 0);
        assertThatThrownBy(runner::plan)
                .isInstanceOf(UserException.class)
                .hasMessageContaining("cell lossCls=focall")
                .hasMessageContaining("unknown classification loss 'focall'");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void badGridFilesGiveOneLine() throws Exception {
        assertThatThrownBy(() -> write("base: x\naxes: {a: []}\n"))
                .hasMessageContaining("axis a needs a non-empty list");
        assertThatThrownBy(() -> write("base: x\nzip: [{a: [1, 2], b: [1]}]\n"))
                .hasMessageContaining("zip axes must have equal lengths");
        assertThatThrownBy(() -> write("base: x\naxis: {}\n")).hasMessageContaining("unknown key 'axis'");
        assertThatThrownBy(() -> write("axes: {}\n")).hasMessageContaining("base: must name a config file or preset");
    }

    @Test
    void builtinGridsResolve() {
        Registry registry = Registry.create(List.of());
        for (String name : List.of(
                "demo",
                "demo_quick",
                "table1a_shapes",
                "table1b_shapes",
                "table1c_shapes",
                "table1d_shapes",
                "table1a_coco",
                "table1b_coco",
                "table1c_coco",
                "table1d_coco",
                "published_table",
                "published_table_shapes")) {
            GridSpec spec = GridSpec.builtin(name);
            List<GridPlan.Cell> plans = new GridRunner(spec, dir.resolve(name), 1, List.of(), registry, 0).plan();
            assertThat(plans).as(name).isNotEmpty();
        }
    }

    /** The bar: seeds and significance by default, on the benchmark in the paper's regime. */
    @Test
    void theDemoAndTheShapesTable1GridsRunThreeSeedsOnTheSparseBenchmark() {
        for (String name : List.of("demo", "table1a_shapes", "table1b_shapes", "table1c_shapes", "table1d_shapes")) {
            GridSpec spec = GridSpec.builtin(name);
            assertThat(spec.base()).as(name).isEqualTo("retinanet_r18_fpn_sparse_shapes");
            assertThat(spec.seeds()).as(name).hasSizeGreaterThanOrEqualTo(3);
            if (spec.reference() != null) {
                assertThat(spec.cells().stream().map(GridCell::group))
                        .as(name + ": the reference names a cell")
                        .contains(spec.reference());
            }
        }
        GridSpec quick = GridSpec.builtin("demo_quick");
        assertThat(quick.seeds()).as("two seeds: the fewest a t-test takes").hasSize(2);
        assertThat(quick.cells().stream().map(GridCell::group)).contains(quick.reference());
    }
}
