package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.retinanet.api.registry.UserException;

/** Parses {@code cpu}, {@code gpu} and {@code gpu:N}, and checks that the device exists. */
public final class Devices {

    private Devices() {}

    public static Device parse(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (n.equals("gpu") || n.equals("cuda")) {
            index = 0;
        } else if (n.matches("(gpu|cuda):\\d+")) {
            index = Integer.parseInt(n.substring(n.indexOf(':') + 1));
        } else {
            throw new UserException("device '" + name + "': expected cpu, gpu or gpu:N");
        }
        int count = Engine.getInstance().getGpuCount();
        if (index >= count) {
            throw new UserException("device '" + name + "': this machine has " + count + " GPU(s) visible to PyTorch"
                    + (count == 0 ? " (is the jar built with -Pcuda, and is CUDA available?)" : ""));
        }
        return Device.gpu(index);
    }
}
