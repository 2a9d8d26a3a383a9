"""Helper of coco_eval_bench.sh: a COCO-val-sized bbox problem and pycocotools' timing on it.

    coco_eval_bench.py generate <dir>      gt.json (5,000 images, 80 categories, ~36k annotations with
                                           crowd regions and segment-like areas) and dets.json
                                           (100 detections per image, seeded)
    coco_eval_bench.py pycocotools <dir>   times COCO()+loadRes, evaluate+accumulate+summarize;
                                           writes <dir>/pycocotools.json (needs PYCOCOTOOLS_PATH)
    coco_eval_bench.py compare <dir>       prints both timings, the ratio, and whether the 12 stats agree
"""
import contextlib
import io
import json
import os
import sys
import time

import numpy as np

IMAGES, CATEGORIES, DETS_PER_IMAGE, MEAN_GTS = 5000, 80, 100, 7.3


def generate(out):
    rng = np.random.default_rng(2017)
    os.makedirs(out, exist_ok=True)
    cat_ids = sorted(int(v) for v in rng.choice(np.arange(1, 91), size=CATEGORIES, replace=False))
    images = [{"id": int(i), "width": 640, "height": 480, "file_name": "%012d.jpg" % i}
              for i in rng.choice(np.arange(1, 600000), size=IMAGES, replace=False)]
    cat_p = rng.dirichlet(np.full(CATEGORIES, 0.5))  # COCO's classes are imbalanced
    anns, dets = [], []
    for img in images:
        n = rng.poisson(MEAN_GTS)
        size = np.exp(rng.uniform(np.log(4), np.log(400), size=n))
        w = np.round(size * rng.uniform(0.6, 1.6, size=n), 2)
        h = np.round(size * rng.uniform(0.6, 1.6, size=n), 2)
        x = np.round(rng.uniform(0, 640, size=n), 2)
        y = np.round(rng.uniform(0, 480, size=n), 2)
        cats = rng.choice(cat_ids, size=n, p=cat_p)
        crowd = rng.random(n) < 0.01
        seg = np.round(w * h * rng.uniform(0.45, 0.95, size=n), 2)
        for j in range(n):
            anns.append({"id": len(anns) + 1, "image_id": img["id"], "category_id": int(cats[j]),
                         "bbox": [float(x[j]), float(y[j]), float(w[j]), float(h[j])],
                         "area": float(seg[j]), "iscrowd": int(crowd[j])})
        # detections: a few jittered copies of each object, the rest background boxes
        k = 0
        for j in range(n):
            for _ in range(rng.integers(1, 4)):
                if k == DETS_PER_IMAGE:
                    break
                jit = rng.normal(0, 0.1, size=4)
                c = int(cats[j]) if rng.random() < 0.85 else int(rng.choice(cat_ids, p=cat_p))
                dets.append({"image_id": img["id"], "category_id": c,
                             "bbox": [round(float(x[j] + jit[0] * w[j]), 2), round(float(y[j] + jit[1] * h[j]), 2),
                                      round(float(w[j] * (1 + jit[2])), 2), round(float(h[j] * (1 + jit[3])), 2)],
                             "score": round(float(rng.beta(4, 2)), 4)})
                k += 1
        m = DETS_PER_IMAGE - k
        size = np.exp(rng.uniform(np.log(4), np.log(400), size=m))
        bx = np.round(rng.uniform(0, 640, size=m), 2)
        by = np.round(rng.uniform(0, 480, size=m), 2)
        bw = np.round(size * rng.uniform(0.6, 1.6, size=m), 2)
        bh = np.round(size * rng.uniform(0.6, 1.6, size=m), 2)
        bc = rng.choice(cat_ids, size=m, p=cat_p)
        bs = np.round(rng.beta(1.2, 5, size=m), 4)
        for j in range(m):
            dets.append({"image_id": img["id"], "category_id": int(bc[j]),
                         "bbox": [float(bx[j]), float(by[j]), float(bw[j]), float(bh[j])], "score": float(bs[j])})
    categories = [{"id": c, "name": "class%d" % c, "supercategory": "thing"} for c in cat_ids]
    with open(os.path.join(out, "gt.json"), "w") as f:
        json.dump({"images": images, "annotations": anns, "categories": categories}, f)
    with open(os.path.join(out, "dets.json"), "w") as f:
        json.dump(dets, f)
    print("generated %d images, %d categories, %d annotations (%d crowd), %d detections in %s" % (
        len(images), len(categories), len(anns), sum(a["iscrowd"] for a in anns), len(dets), out))


def stub_matplotlib():
    import types
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        for name in ["matplotlib", "matplotlib.pyplot", "matplotlib.collections", "matplotlib.patches"]:
            mod = types.ModuleType(name)
            mod.PatchCollection = mod.Polygon = None
            sys.modules[name] = mod


def pycocotools(out):
    path = os.environ.get("PYCOCOTOOLS_PATH")
    if not path:
        sys.exit("PYCOCOTOOLS_PATH must point at a built cocoapi PythonAPI directory (see coco_eval_bench.sh)")
    sys.path.insert(0, path)
    stub_matplotlib()
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(out, "gt.json"))
        dt = gt.loadRes(os.path.join(out, "dets.json"))
    t1 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        t2 = time.perf_counter()
        ev.accumulate()
        t3 = time.perf_counter()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        ev.summarize()
    t4 = time.perf_counter()
    result = {"load_s": t1 - t0, "evaluate_s": t2 - t1, "accumulate_s": t3 - t2, "eval_s": t4 - t1,
              "stats": [float(v) for v in ev.stats], "summary": text.getvalue().rstrip("\n")}
    with open(os.path.join(out, "pycocotools.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("pycocotools: load %.2f s, evaluate %.2f s, accumulate %.2f s, evaluate+accumulate+summarize %.2f s" % (
        result["load_s"], result["evaluate_s"], result["accumulate_s"], result["eval_s"]))


def compare(out):
    py = json.load(open(os.path.join(out, "pycocotools.json")))
    jv = json.load(open(os.path.join(out, "java.json")))
    diff = max(abs(a - b) for a, b in zip(py["stats"], jv["stats"]))
    print(jv["summary"])
    print()
    print("evaluate+accumulate+summarize   pycocotools %8.2f s   java (first run) %6.3f s   ratio %6.1fx" % (
        py["eval_s"], jv["eval_first_s"], py["eval_s"] / jv["eval_first_s"]))
    print("                                                        java (best of %d) %6.3f s   ratio %6.1fx" % (
        jv["repeats"], jv["eval_best_s"], py["eval_s"] / jv["eval_best_s"]))
    print("loading gt + results            pycocotools %8.2f s   java            %6.3f s" % (py["load_s"], jv["load_s"]))
    print("total (load + first eval)       pycocotools %8.2f s   java            %6.3f s   ratio %6.1fx" % (
        py["load_s"] + py["eval_s"], jv["load_s"] + jv["eval_first_s"],
        (py["load_s"] + py["eval_s"]) / (jv["load_s"] + jv["eval_first_s"])))
    print("12 stats: max |java - pycocotools| = %.3g%s" % (diff, "" if diff <= 1e-9 else "  MISMATCH"))
    if diff > 1e-9 or py["summary"] != jv["summary"]:
        sys.exit(1)


if __name__ == "__main__":
    {"generate": generate, "pycocotools": pycocotools, "compare": compare}[sys.argv[1]](sys.argv[2])
