package org.retinanet.experiments.grid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code tiny.yaml} for grid tests: the shapes preset at 64 px with a 32-channel neck and head and
 * no normalisation (a huge learning rate then does diverge), so that a cell trains in seconds.
 */
public final class TinyCells {

    private TinyCells() {}

    /** Writes {@code dir/tiny.yaml} with the given image counts and {@code train:} mapping; returns it. */
    public static Path write(Path dir, int trainImages, int valImages, String train) throws IOException {
        return Files.writeString(dir.resolve("tiny.yaml"), """
                base: retinanet_r18_fpn_shapes
                model:
                  neck: {outChannels: 32, norm: none}
                  head: {featChannels: 32, stackedConvs: 1, norm: none}
                  inputSize: 64
                data:
                  train: {dataset: {numImages: %d, imageSize: 64}, pipeline: {scale: [64, 64]}, batchSize: 2, workers: 1}
                  val: {dataset: {numImages: %d, imageSize: 64}, pipeline: {scale: [64, 64]}, batchSize: 2, workers: 1}
                train: %s
                """.formatted(trainImages, valImages, train));
    }
}
