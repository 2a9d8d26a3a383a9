package org.retinanet.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.registry.UserException;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void dictsMergeListsReplaceAndChildWins() throws Exception {
        write("base/model.yaml", "model: {depth: 50, steps: [8, 11], norm: {type: bn, eval: true}}\nseed: 1\n");
        write("base/sched.yaml", "model: {steps: [16, 22]}\nlr: 0.01\n");
        Path c = write(
                "exp.yaml", "base: [base/model.yaml, base/sched.yaml]\nmodel: {depth: 101, norm: {eval: false}}\n");
        var tree = ConfigLoader.load(c, List.of()).tree();
        assertThat(ConfigLoader.at(tree, "model.depth").asInt()).isEqualTo(101);
        assertThat(ConfigLoader.at(tree, "model.steps").toString()).isEqualTo("[16,22]");
        assertThat(ConfigLoader.at(tree, "model.norm.type").asText()).isEqualTo("bn");
        assertThat(ConfigLoader.at(tree, "model.norm.eval").asBoolean()).isFalse();
        assertThat(tree.get("lr").asDouble()).isEqualTo(0.01);
        assertThat(tree.has("base")).isFalse();
    }

    @Test
    void changingTypeReplacesTheWholeDict() throws Exception {
        write("b.yaml", "loss: {type: focal, gamma: 2.0, alpha: 0.25}\n");
        Path c = write("c.yaml", "base: b.yaml\nloss: {type: ce}\n");
        assertThat(ConfigLoader.load(c, List.of()).tree().get("loss").toString())
                .isEqualTo("{\"type\":\"ce\"}");
        Path d = write("d.yaml", "base: b.yaml\nloss: {gamma: 1.0}\n");
        assertThat(ConfigLoader.load(d, List.of()).tree().get("loss").toString())
                .isEqualTo("{\"type\":\"focal\",\"gamma\":1.0,\"alpha\":0.25}");
        Path e = write("e.yaml", "base: b.yaml\nloss: {_delete_: true, type: focal}\n");
        assertThat(ConfigLoader.load(e, List.of()).tree().get("loss").toString())
                .isEqualTo("{\"type\":\"focal\"}");
    }

    @Test
    void overridesFromTheCommandLine() throws Exception {
        Path c = write("c.yaml", "train: {lr: 0.01, steps: [8, 11]}\nloss: {type: focal, gamma: 2.0}\n");
        var tree = ConfigLoader.load(
                        c, List.of("train.lr=0.02", "train.steps=[16, 22]", "new.key.deep=true", "loss.type=ce"))
                .tree();
        assertThat(ConfigLoader.at(tree, "train.lr").asDouble()).isEqualTo(0.02);
        assertThat(ConfigLoader.at(tree, "train.steps").toString()).isEqualTo("[16,22]");
        assertThat(ConfigLoader.at(tree, "new.key.deep").asBoolean()).isTrue();
        assertThat(tree.get("loss").toString()).isEqualTo("{\"type\":\"ce\"}");
        assertThatThrownBy(() -> ConfigLoader.load(c, List.of("train.lr.x=1")))
                .hasMessageContaining("--set train.lr.x: train.lr is a number");
        assertThatThrownBy(() -> ConfigLoader.load(c, List.of("novalue")))
                .hasMessageContaining("expected key.path=value");
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path bad = write("bad.yaml", "model:\n  depth: [1, 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, List.of()))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("config " + bad.toAbsolutePath() + ": invalid YAML: line ");
        Path missing = write("m.yaml", "base: nothere.yaml\n");
        assertThatThrownBy(() -> ConfigLoader.load(missing, List.of()))
                .hasMessageContaining("nothere.yaml: file not found (named in base: of " + missing.toAbsolutePath());
        write("x.yaml", "base: y.yaml\n");
        Path y = write("y.yaml", "base: x.yaml\n");
        assertThatThrownBy(() -> ConfigLoader.load(y, List.of())).hasMessageContaining("base: cycle");
        Path preset = write("p.yaml", "base: no_such_preset\n");
        assertThatThrownBy(() -> ConfigLoader.load(preset, List.of()))
                .hasMessageContaining("unknown preset 'no_such_preset'");
        Path list = write("l.yaml", "- a\n- b\n");
        assertThatThrownBy(() -> ConfigLoader.load(list, List.of()))
                .hasMessageContaining("top level must be a mapping");
    }
}
