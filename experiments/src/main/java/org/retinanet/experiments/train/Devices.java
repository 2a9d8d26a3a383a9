package org.retinanet.experiments.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The devices of a data-parallel run: {@code count} consecutive GPUs from {@code name}'s index,
     * or on {@code cpu} {@code count} replicas on the host (the same arithmetic as {@code count}
     * GPUs, for checking a multi-GPU run on a machine without them).
     */
    public static List<Device> dataParallel(String name, int count) {
        if (count <= 0) {
            throw new UserException("--gpus must be positive, got " + count);
        }
        Device first = parse(name);
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            devices.add(first.isGpu() ? Device.gpu(first.getDeviceId() + i) : first);
        }
        int visible = Engine.getInstance().getGpuCount();
        if (first.isGpu() && first.getDeviceId() + count > visible) {
            throw new UserException("--gpus " + count + " from " + first + ": this machine has " + visible
                    + " GPU(s) visible to PyTorch");
        }
        return devices;
    }
}
