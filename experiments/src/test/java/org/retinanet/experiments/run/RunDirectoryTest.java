package org.retinanet.experiments.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet.api.registry.UserException;

/** A run's state from its files and its lock, never from log text. */
class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aManifestThatSaysRunningWithNobodyHoldingTheLockIsInterrupted() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("cell"));
        assertThat(run.state().status()).isEqualTo("new");
        Files.createDirectories(run.root());
        Files.writeString(run.manifest(), "{\"status\": \"running\", \"iteration\": 7, \"loss\": 1.5}");
        RunDirectory.State dead = run.state();
        assertThat(dead.status()).isEqualTo(RunDirectory.INTERRUPTED);
        assertThat(dead.error()).contains("ended without recording why").contains("train.log");
        assertThat(dead.iteration()).isEqualTo(7);
        assertThat(dead.loss()).isEqualTo(1.5);
        try (RunDirectory.Lock lock = run.lock()) {
            assertThat(run.inUse()).isTrue();
            assertThat(run.state().status()).isEqualTo(RunDirectory.RUNNING);
            assertThatThrownBy(run::lock).isInstanceOf(UserException.class).hasMessageContaining("is in use");
        }
        assertThat(run.inUse()).isFalse();
        assertThat(run.state().status()).isEqualTo(RunDirectory.INTERRUPTED);
    }

    @Test
    void finishedRunsCarryTheirApAndFailedOnesTheirReason() throws Exception {
        RunDirectory run = new RunDirectory(dir);
        Files.writeString(run.manifest(), "{\"status\": \"finished\", \"iteration\": 6}");
        Files.writeString(run.metrics(), "{\"metrics\": {\"AP\": 0.25}}");
        assertThat(run.state().finished()).isTrue();
        assertThat(run.state().ap()).isEqualTo(0.25);
        Files.writeString(
                run.manifest(), "{\"status\": \"failed\", \"error\": \"non-finite loss_cls at iteration 3\"}");
        assertThat(run.state().status()).isEqualTo("failed");
        assertThat(run.state().error()).isEqualTo("non-finite loss_cls at iteration 3");
        Files.writeString(run.manifest(), "{not json");
        assertThat(run.state().status()).isEqualTo("unreadable");
        assertThat(run.state().error()).startsWith("manifest.json: ");
    }
}
