package org.retinanet.experiments.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.retinanet.api.registry.Registry;
import org.retinanet.experiments.config.Precision;
import org.retinanet.experiments.run.PlatformVersion;
import org.retinanet.experiments.run.RunRecord;

/**
 * {@code retinanet doctor}: what {@code torch.utils.collect_env} tells a torch user, and whether
 * this machine computes right: versions, CPU and instruction sets, the convolution path chosen and
 * why, threads and memory settings, determinism switches, every visible GPU with a convolution and
 * a small detector's forward and backward against the host.
 */
public final class Doctor {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The oneDNN that each libtorch release bundles (PyTorch's third_party/ideep). */
    private static final Map<String, String> ONEDNN = Map.of("2.5.1", "3.5.3", "2.7.1", "3.7.1");

    private Doctor() {}

    /** The whole report; {@code probe} also tests each oneDNN instruction-set cap in a child process. */
    public static ObjectNode report(Registry registry, boolean probe) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode platform = out.putObject("platform");
        platform.put("retinanet", PlatformVersion.get());
        platform.put(
                "java", System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")");
        platform.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        Engine engine = Engine.getInstance();
        ObjectNode e = out.putObject("engine");
        e.put("djl", Engine.getDjlVersion());
        e.put("engine", engine.getEngineName());
        e.put("libtorch", engine.getVersion());
        e.put("onednn", ONEDNN.getOrDefault(engine.getVersion(), "unknown"));
        e.put("onednnIsaCap", ConvPath.isaCap());
        e.put("intraOpThreads", System.getProperty("ai.djl.pytorch.num_threads", "libtorch default (physical cores)"));
        e.put("interOpThreads", System.getProperty("ai.djl.pytorch.num_interop_threads", "libtorch default"));
        e.put("THP_MEM_ALLOC_ENABLE", String.valueOf(System.getenv("THP_MEM_ALLOC_ENABLE")));
        out.set("cpu", RunRecord.cpu());

        ObjectNode conv = out.putObject("convolutions");
        try {
            ConvPath.Choice choice = ConvPath.ensureCorrect();
            conv.put("ok", true);
            conv.put("path", choice.path());
            conv.put("why", choice.reason());
        } catch (ConvPath.UnusableEngineException ex) {
            conv.put("ok", false);
            conv.put("path", "none");
            conv.put("why", ex.getMessage());
        }
        // what a run in half precision on the host computes with (other kernels than float32's)
        ObjectNode half = conv.putObject("half");
        if (conv.get("ok").asBoolean()) {
            for (DataType type : List.of(DataType.FLOAT16, DataType.BFLOAT16)) {
                ObjectNode h = half.putObject(type == DataType.FLOAT16 ? "fp16" : "bf16");
                try {
                    ConvSelfCheck.Result r = ConvSelfCheck.run(Device.cpu(), type);
                    h.put("ok", r.ok());
                    h.put("summary", r.summary());
                } catch (RuntimeException ex) {
                    h.put("ok", false);
                    h.put("summary", "could not run: " + ex);
                }
            }
        }
        if (probe) {
            out.set("probe", probe(out.get("cpu").get("isa")));
        }
        TorchContext context = TorchContext.get();
        ObjectNode det = out.putObject("determinism");
        det.put("deterministicCudnn", context.deterministicCudnn());
        det.put("benchmarkCudnn", context.benchmarkCudnn());
        det.put("deterministicAlgorithms", context.deterministicAlgorithms());

        ObjectNode gpu = out.putObject("gpus");
        int count = engine.getGpuCount();
        gpu.put("visible", count);
        gpu.put("cuda", count == 0 ? "none" : ai.djl.util.cuda.CudaUtils.getCudaVersionString());
        ArrayNode devices = gpu.putArray("devices");
        ArrayNode listed = RunRecord.gpus();
        for (int i = 0; i < count; i++) {
            ObjectNode d = devices.addObject();
            d.put("device", "gpu:" + i);
            for (JsonNode l : listed) {
                if (l.path("index").asText().equals(String.valueOf(i))) {
                    d.setAll((ObjectNode) l);
                }
            }
            checkGpu(registry, Device.gpu(i), d);
        }
        boolean halfOk = true;
        for (JsonNode h : conv.get("half")) {
            halfOk &= h.get("ok").asBoolean();
        }
        out.put("ok", conv.get("ok").asBoolean() && halfOk && allGpusOk(devices));
        return out;
    }

    private static boolean allGpusOk(ArrayNode devices) {
        for (JsonNode d : devices) {
            if (!d.path("convolutions").path("ok").asBoolean()
                    || !d.path("detector").path("ok").asBoolean()
                    || !d.path("detectorFp16").path("ok").asBoolean()
                    || !d.path("detectorBf16").path("ok").asBoolean()
                            && !d.path("detectorBf16").path("unsupported").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** A GPU's convolutions (TF32 off, so that the kernels themselves are compared) and a detector step against the host. */
    private static void checkGpu(Registry registry, Device device, ObjectNode out) {
        TorchContext context = TorchContext.get();
        boolean tf32 = context.allowTf32Cudnn();
        context.setAllowTf32Cudnn(false);
        try {
            checkGpuKernels(registry, device, out);
        } finally {
            context.setAllowTf32Cudnn(tf32);
        }
    }

    private static void checkGpuKernels(Registry registry, Device device, ObjectNode out) {
        ObjectNode c = out.putObject("convolutions");
        try {
            ConvSelfCheck.Result r = ConvSelfCheck.run(device);
            c.put("ok", r.ok());
            c.put("summary", r.summary());
        } catch (RuntimeException ex) {
            c.put("ok", false);
            c.put("summary", "could not run: " + ex);
        }
        detectorCheck(out.putObject("detector"), () -> DetectorDeviceCheck.run(registry, device));
        detectorCheck(
                out.putObject("detectorFp16"), () -> DetectorDeviceCheck.runHalf(registry, device, Precision.FP16));
        ObjectNode bf16 = out.putObject("detectorBf16");
        detectorCheck(bf16, () -> DetectorDeviceCheck.runHalf(registry, device, Precision.BF16));
        // GPUs before Ampere have no bfloat16 kernels: a step that cannot run says so, and fails nothing
        bf16.put("unsupported", bf16.path("summary").asText().startsWith("could not run"));
    }

    private static void detectorCheck(ObjectNode d, java.util.function.Supplier<DetectorDeviceCheck.Result> check) {
        try {
            DetectorDeviceCheck.Result r = check.get();
            d.put("ok", r.ok());
            d.put("summary", r.summary());
        } catch (RuntimeException ex) {
            d.put("ok", false);
            d.put("summary", "could not run: " + ex);
        }
    }

    /** The self-check and a convolution timing under each instruction-set cap this CPU has, and with oneDNN off. */
    private static ArrayNode probe(JsonNode isa) {
        List<String> levels = new ArrayList<>(List.of("AVX"));
        if (contains(isa, "avx2")) {
            levels.add("AVX2");
        }
        if (contains(isa, "avx512f")) {
            levels.add("AVX512_CORE");
        }
        levels.add("");
        levels.add("off");
        ArrayNode out = JSON.createArrayNode();
        for (String level : levels) {
            ObjectNode row = out.addObject();
            row.put(
                    "setting",
                    level.isEmpty()
                            ? "oneDNN, no ISA cap"
                            : level.equals("off")
                                    ? "oneDNN off (native kernels)"
                                    : "oneDNN, ONEDNN_MAX_CPU_ISA=" + level);
            try {
                JsonNode child = child(level);
                row.put("ok", child.path("ok").asBoolean());
                row.put("summary", child.path("summary").asText());
                row.put("convMillis", child.path("convMillis").asDouble());
            } catch (IOException | RuntimeException ex) {
                row.put("ok", false);
                row.put("summary", "could not run: " + ex.getMessage());
            }
        }
        return out;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode child(String level) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "org.retinanet.cli.Main",
                "doctor",
                "--self-check"));
        if (level.equals("off")) {
            cmd.add("--no-onednn");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (level.isEmpty() || level.equals("off")) {
            pb.environment().remove("ONEDNN_MAX_CPU_ISA");
        } else {
            pb.environment().put("ONEDNN_MAX_CPU_ISA", level);
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("no answer within 5 minutes");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String json = text.lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IOException("exit " + p.exitValue() + ", no result"));
        return JSON.readTree(json);
    }

    /** What a probe's child prints: the self-check here, and a convolution's forward and backward time. */
    public static ObjectNode selfCheck(boolean oneDnn) {
        TorchContext.get().setMkldnnEnabled(oneDnn);
        ConvSelfCheck.Result r = ConvSelfCheck.run(Device.cpu());
        ObjectNode out = JSON.createObjectNode();
        out.put("ok", r.ok());
        out.put("summary", r.summary());
        out.put("convMillis", convMillis());
        return out;
    }

    /** Median of 5: a 3x3 convolution, 64 to 64 channels on 2x64x96x96, forward and input/weight backward. */
    private static double convMillis() {
        double[] t = new double[6];
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.randomNormal(new Shape(2, 64, 96, 96));
            NDArray w = m.randomNormal(new Shape(64, 64, 3, 3)).mul(0.05f);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
                    y.attach(step);
                    gc.backward(y.sum());
                }
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] timed = Arrays.copyOfRange(t, 1, t.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }
}
