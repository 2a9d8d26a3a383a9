package org.retinanet.datasets.eval;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
class CocoEvalScratchTest {
  @Test void diffs() {
    for (String name : CocoEvalFixtures.NAMES) {
      JsonNode c = CocoEvalFixtures.load(name);
      double[] e = CocoEvalFixtures.doubles(c.get("pycocotools").get("stats"));
      double[] a = CocoEval.run(CocoEvalFixtures.problem(c), CocoEvaluatorConfig.defaults()).stats();
      double[] b = new CocoEvaluator(CocoEvaluatorConfig.defaults()).evaluate(CocoEvalFixtures.dataset(c), CocoEvalFixtures.detections(c)).metrics().values().stream().mapToDouble(Double::doubleValue).toArray();
      int exactA = 0, exactB = 0; double maxA = 0, maxB = 0;
      for (int i = 0; i < 12; i++) { if (a[i] == e[i]) exactA++; if (b[i] == e[i]) exactB++; maxA = Math.max(maxA, Math.abs(a[i]-e[i])); maxB = Math.max(maxB, Math.abs(b[i]-e[i])); }
      System.out.printf("%-14s raw exact %d/12 max %.3g   dataset exact %d/12 max %.3g%n", name, exactA, maxA, exactB, maxB);
    }
  }
}
