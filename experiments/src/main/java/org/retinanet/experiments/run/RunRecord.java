package org.retinanet.experiments.run;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.DiscoveredPlugin;
import org.retinanet.api.registry.Registry;
import org.retinanet.api.spi.Kind;

/**
 * What a run needs recorded to be reproduced from its directory, as mmdetection's environment dump
 * and {@code torch.utils.collect_env} do: the command line, every plugin jar (path, SHA-256, the ids
 * it registered), Java and OS, the CPU and its instruction sets, the engine settings that change
 * numerics or speed, GPUs, and a fingerprint of each dataset.
 */
public final class RunRecord {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The CPU flags that decide which kernels libtorch and oneDNN use. */
    private static final List<String> ISA_FLAGS = List.of(
            "sse4_2",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512_vnni",
            "avx512_bf16",
            "amx_bf16",
            "amx_tile");

    private static final Map<Path, String> DIGESTS = new HashMap<>();

    private RunRecord() {}

    /** The environment of this process: command line, plugins, Java, OS, CPU, engine settings, GPUs. */
    public static ObjectNode environment(List<String> commandLine, Registry registry) {
        ObjectNode env = JSON.createObjectNode();
        ArrayNode cmd = env.putArray("commandLine");
        commandLine.forEach(cmd::add);
        ArrayNode sets = env.putArray("overrides");
        for (int i = 0; i + 1 < commandLine.size(); i++) {
            if (commandLine.get(i).equals("--set")) {
                sets.add(commandLine.get(i + 1));
            } else if (commandLine.get(i).startsWith("--set=")) {
                sets.add(commandLine.get(i).substring("--set=".length()));
            }
        }
        env.set("plugins", plugins(registry));
        ObjectNode java = env.putObject("java");
        java.put("version", System.getProperty("java.runtime.version"));
        java.put("vendor", System.getProperty("java.vendor"));
        java.put("vm", System.getProperty("java.vm.name"));
        ObjectNode os = env.putObject("os");
        os.put("name", System.getProperty("os.name"));
        os.put("version", System.getProperty("os.version"));
        os.put("arch", System.getProperty("os.arch"));
        os.put("host", hostName());
        env.set("cpu", cpu());
        ObjectNode engine = env.putObject("engine");
        engine.put("ONEDNN_MAX_CPU_ISA", System.getenv("ONEDNN_MAX_CPU_ISA"));
        engine.put("THP_MEM_ALLOC_ENABLE", System.getenv("THP_MEM_ALLOC_ENABLE"));
        engine.put("OMP_NUM_THREADS", System.getenv("OMP_NUM_THREADS"));
        engine.put("numThreads", System.getProperty("ai.djl.pytorch.num_threads"));
        engine.put("numInteropThreads", System.getProperty("ai.djl.pytorch.num_interop_threads"));
        engine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        env.set("gpus", gpus());
        return env;
    }

    /** A dataset's fingerprint: name, image count, and the SHA-256 of every file its config names. */
    public static ObjectNode dataset(DetectionDataset dataset, JsonNode datasetConfig, Path baseDir) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", dataset.name());
        out.put("images", dataset.size());
        out.put("categories", dataset.categories().size());
        ObjectNode files = out.putObject("files");
        for (Iterator<Map.Entry<String, JsonNode>> it = datasetConfig.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                Path p = baseDir.resolve(e.getValue().asText());
                if (Files.isRegularFile(p)) {
                    files.put(p.toAbsolutePath().toString(), sha256(p));
                }
            }
        }
        return out;
    }

    private static ArrayNode plugins(Registry registry) {
        ArrayNode out = JSON.createArrayNode();
        Map<Kind, List<String>> ids = registry.ids();
        for (DiscoveredPlugin p : registry.plugins()) {
            ObjectNode n = out.addObject();
            n.put("class", p.plugin().getClass().getName());
            n.put(
                    "source",
                    p.source() == null
                            ? "class path"
                            : p.source().toAbsolutePath().toString());
            // plugin jars loaded with --plugins have a class loader of their own
            boolean external = p.plugin().getClass().getClassLoader() != RunRecord.class.getClassLoader();
            n.put("external", external);
            // the platform's own plugins are named by its version and git commit; hashing its
            // jar (130 MB with the natives) would add most of a second to every start
            if (external && p.source() != null && Files.isRegularFile(p.source())) {
                n.put("sha256", sha256(p.source()));
            }
            ObjectNode registered = n.putObject("ids");
            ids.forEach((kind, list) -> {
                ArrayNode a = JSON.createArrayNode();
                list.stream().filter(id -> registry.owner(kind, id) == p).forEach(a::add);
                if (!a.isEmpty()) {
                    registered.set(kind.name().toLowerCase(), a);
                }
            });
        }
        return out;
    }

    public static ObjectNode cpu() {
        ObjectNode out = JSON.createObjectNode();
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            info.lines()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .ifPresent(l ->
                            out.put("model", l.substring(l.indexOf(':') + 1).trim()));
            Set<String> flags = new TreeSet<>();
            info.lines()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .ifPresent(l -> flags.addAll(
                            List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))));
            ArrayNode isa = out.putArray("isa");
            ISA_FLAGS.stream().filter(flags::contains).forEach(isa::add);
        } catch (IOException | RuntimeException e) {
            out.put("model", System.getProperty("os.arch"));
        }
        out.put("logicalCores", Runtime.getRuntime().availableProcessors());
        return out;
    }

    /** Whether the CPU has native bfloat16 instructions (AVX-512 BF16 or AMX), which oneDNN's bf16 kernels use. */
    public static boolean cpuHasBfloat16Kernels() {
        for (JsonNode flag : cpu().path("isa")) {
            if (flag.asText().equals("avx512_bf16") || flag.asText().equals("amx_bf16")) {
                return true;
            }
        }
        return false;
    }

    /** GPUs as nvidia-smi lists them (name, memory, driver); none on a CPU machine. */
    public static ArrayNode gpus() {
        ArrayNode out = JSON.createArrayNode();
        int count;
        try {
            count = Engine.getInstance().getGpuCount();
        } catch (RuntimeException e) {
            count = 0;
        }
        if (count == 0) {
            return out;
        }
        try {
            Process p = new ProcessBuilder(
                            "nvidia-smi", "--query-gpu=index,name,memory.total,driver_version", "--format=csv,noheader")
                    .redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                for (String line : text.strip().split("\n")) {
                    String[] f = line.split(",\\s*");
                    if (f.length == 4) {
                        ObjectNode g = out.addObject();
                        g.put("index", f[0]);
                        g.put("name", f[1]);
                        g.put("memory", f[2]);
                        g.put("driver", f[3]);
                    }
                }
                return out;
            }
        } catch (IOException | InterruptedException e) {
            // no nvidia-smi: the engine's count is all there is
        }
        for (int i = 0; i < count; i++) {
            out.addObject().put("index", String.valueOf(i));
        }
        return out;
    }

    /** SHA-256 of a file, hex; computed once per file and process (annotation files can be large). */
    public static synchronized String sha256(Path file) {
        return DIGESTS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            try (InputStream in = Files.newInputStream(f)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
                return HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                return "unreadable: " + e.getMessage();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
    }
}
