package org.retinanet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.concurrent.Callable;
import org.retinanet.experiments.engine.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code retinanet doctor}: the environment, and whether this machine's CPU and GPUs compute right. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Versions (Java, DJL, libtorch, oneDNN), CPU and instruction sets, the convolution path chosen"
                    + " and why, threads, THP, determinism switches, and every visible GPU with numeric checks against the host"
                    + " (convolutions; a small detector's forward and backward, in float32 and in fp16 and bf16 mixed"
                    + " precision); the host's convolutions in fp16 and bf16 too.",
            "Exit code 0 when every check passes, 1 when one computes wrong numbers."
        })
final class DoctorCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    RootCommand root;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(
            names = "--probe",
            description = "Also run the convolution check and a timing under each oneDNN instruction-set"
                    + " cap this CPU has, and with oneDNN off (a child process each, a few seconds).")
    boolean probe;

    @Option(
            names = "--self-check",
            hidden = true,
            description = "One probe: the check and timing in this process, as JSON.")
    boolean selfCheck;

    @Option(names = "--no-onednn", hidden = true, description = "With --self-check: oneDNN off.")
    boolean noOneDnn;

    @Override
    public Integer call() throws Exception {
        if (selfCheck) {
            System.out.println(new ObjectMapper().writeValueAsString(Doctor.selfCheck(!noOneDnn)));
            return 0;
        }
        ObjectNode report = Doctor.report(root.registry(), probe);
        if (json) {
            System.out.println(JSON.writeValueAsString(report));
        } else {
            print(report);
        }
        return report.get("ok").asBoolean() ? 0 : 1;
    }

    private static void print(ObjectNode r) {
        JsonNode e = r.get("engine");
        JsonNode cpu = r.get("cpu");
        line(
                "platform",
                "retinanet " + r.at("/platform/retinanet").asText() + ", Java "
                        + r.at("/platform/java").asText() + ", "
                        + r.at("/platform/os").asText());
        line(
                "engine",
                "DJL " + e.get("djl").asText() + ", libtorch "
                        + e.get("libtorch").asText() + " (oneDNN "
                        + e.get("onednn").asText() + "), "
                        + e.get("onednnIsaCap").asText());
        line(
                "threads",
                "intra-op " + e.get("intraOpThreads").asText() + ", inter-op "
                        + e.get("interOpThreads").asText() + "; THP_MEM_ALLOC_ENABLE="
                        + e.get("THP_MEM_ALLOC_ENABLE").asText());
        line(
                "cpu",
                cpu.path("model").asText() + ", " + cpu.path("logicalCores").asText() + " logical cores, ISA "
                        + String.join(" ", iterable(cpu.path("isa"))));
        JsonNode conv = r.get("convolutions");
        line(
                "convolutions",
                (conv.get("ok").asBoolean() ? "OK: " : "WRONG: ")
                        + conv.get("path").asText() + ". " + conv.get("why").asText());
        conv.path("half")
                .fields()
                .forEachRemaining(h -> line(
                        "  in " + h.getKey(),
                        (h.getValue().get("ok").asBoolean() ? "OK: " : "WRONG: ")
                                + h.getValue().get("summary").asText()));
        if (r.has("probe")) {
            for (JsonNode p : r.get("probe")) {
                line(
                        "  probe",
                        String.format(
                                        "%-40s %s%s",
                                        p.get("setting").asText(),
                                        p.get("ok").asBoolean() ? "correct" : "WRONG",
                                        p.has("convMillis")
                                                ? String.format(
                                                        ", conv fwd+bwd %.1f ms",
                                                        p.get("convMillis").asDouble())
                                                : "")
                                + (p.get("ok").asBoolean()
                                        ? ""
                                        : " (" + p.get("summary").asText() + ")"));
            }
        }
        JsonNode d = r.get("determinism");
        line(
                "determinism",
                "cudnn.deterministic=" + d.get("deterministicCudnn").asBoolean() + ", cudnn.benchmark="
                        + d.get("benchmarkCudnn").asBoolean() + ", deterministic algorithms="
                        + d.get("deterministicAlgorithms").asBoolean());
        JsonNode gpus = r.get("gpus");
        if (gpus.get("visible").asInt() == 0) {
            line(
                    "gpus",
                    "none visible to libtorch (a CPU build, no driver, or CUDA_VISIBLE_DEVICES empty);"
                            + " for GPUs run with the CUDA natives, see the README's GPU section");
        }
        for (JsonNode g : gpus.get("devices")) {
            line(
                    g.get("device").asText(),
                    g.path("name").asText("?") + ", " + g.path("memory").asText("?") + ", driver "
                            + g.path("driver").asText("?") + ", CUDA "
                            + gpus.get("cuda").asText());
            line("  convolutions", g.at("/convolutions/summary").asText());
            line("  detector", g.at("/detector/summary").asText());
            line("  detector fp16", g.at("/detectorFp16/summary").asText());
            line(
                    "  detector bf16",
                    g.at("/detectorBf16/summary").asText()
                            + (g.at("/detectorBf16/unsupported").asBoolean()
                                    ? " (bf16 unsupported here; use fp16)"
                                    : ""));
        }
        System.out.println(
                r.get("ok").asBoolean() ? "verdict: every check passed" : "verdict: a check FAILED (see above)");
    }

    private static void line(String key, String value) {
        System.out.printf("%-14s %s%n", key, value);
    }

    private static Iterable<String> iterable(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return out;
    }
}
