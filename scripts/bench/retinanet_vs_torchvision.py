#!/usr/bin/python3
"""torchvision 0.14's RetinaNet timed the way `retinanet bench` times ours (the torchvision half of
retinanet_vs_torchvision.sh; Debian's /usr/bin/python3 with python3-torchvision).

The model is the architecture of the torchvision_retinanet_resnet50_fpn preset: ResNet (frozen
BatchNorm, stem and layer1 frozen as with pretrained weights) + FPN P3-P7 with P6/P7 from P5
(LastLevelP6P7) + RetinaHead, 91 classes, random weights. --depth 18 builds the same with ResNet-18.
Inputs: synthetic images of the given size (no resize happens: min_size = max_size = the size),
random boxes. A train step is forward + loss + backward + SGD step (+ zero_grad); inference is the
eval forward with post-processing under no_grad. Each phase is timed by running the steps of
RetinaNet.forward one by one (transform, backbone+FPN+head, anchors+loss or post-processing).

usage: retinanet_vs_torchvision.py --depth 50 --mode train --size 512 --batch 2 --steps 5 --warmup 2
       --threads 2 [--prior 0.01] [--json]
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7


def build(depth, size, prior):
    resnet = getattr(torchvision.models, "resnet%d" % depth)(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    # trainable_layers=3: conv1 and layer1 frozen, as torchvision does with pretrained weights and our preset does
    backbone = _resnet_fpn_extractor(resnet, 3, returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    model = RetinaNet(backbone, num_classes=91, min_size=size, max_size=size)
    with torch.no_grad():
        model.head.classification_head.cls_logits.bias.fill_(-math.log((1 - prior) / prior))
    return model


def synthetic(batch, size, boxes, rng):
    images = [torch.from_numpy(rng.standard_normal((3, size, size)).astype(np.float32)) for _ in range(batch)]
    targets = []
    for _ in range(batch):
        max_side = max(9.0, size / 2.0)
        wh = 8 + rng.random((boxes, 2)) * (max_side - 8)
        xy = rng.random((boxes, 2)) * (size - wh)
        b = np.concatenate([xy, xy + wh], axis=1).astype(np.float32)
        targets.append({"boxes": torch.from_numpy(b), "labels": torch.from_numpy(rng.integers(1, 91, boxes))})
    return images, targets


def train_step(model, opt, images, targets):
    t = {}
    t0 = time.perf_counter()
    imgs, tgts = model.transform(images, targets)
    t1 = time.perf_counter()
    features = list(model.backbone(imgs.tensors).values())
    head_outputs = model.head(features)
    t2 = time.perf_counter()
    anchors = model.anchor_generator(imgs, features)
    losses = model.compute_loss(tgts, head_outputs, anchors)
    loss = sum(losses.values())
    loss_value = loss.item()
    t3 = time.perf_counter()
    loss.backward()
    t4 = time.perf_counter()
    opt.step()
    opt.zero_grad()
    t5 = time.perf_counter()
    t.update(data=t1 - t0, forward=t2 - t1, loss=t3 - t2, backward=t4 - t3, optimizer=t5 - t4)
    return t, math.isfinite(loss_value)


def infer_step(model, images):
    t0 = time.perf_counter()
    with torch.no_grad():
        original_sizes = [tuple(img.shape[-2:]) for img in images]
        imgs, _ = model.transform(images)
        t1 = time.perf_counter()
        features = list(model.backbone(imgs.tensors).values())
        head_outputs = model.head(features)
        t2 = time.perf_counter()
        anchors = model.anchor_generator(imgs, features)
        per_level = [x.size(2) * x.size(3) for x in features]
        a = head_outputs["cls_logits"].size(1) // sum(per_level)
        per_level = [hw * a for hw in per_level]
        split_outputs = {k: list(v.split(per_level, dim=1)) for k, v in head_outputs.items()}
        split_anchors = [list(x.split(per_level)) for x in anchors]
        dets = model.postprocess_detections(split_outputs, split_anchors, imgs.image_sizes)
        dets = model.transform.postprocess(dets, imgs.image_sizes, original_sizes)
        t3 = time.perf_counter()
    return dict(data=t1 - t0, forward=t2 - t1, postprocess=t3 - t2), sum(len(d["boxes"]) for d in dets)


def load():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return []


def compare(directory):
    """Prints ours/torchvision for every (depth, mode) pair of JSON results in directory."""
    rows = []
    for name in sorted(os.listdir(directory)):
        if not name.startswith("tv_") or not name.endswith(".json"):
            continue
        key = name[3:-5]
        ours_file = os.path.join(directory, "ours_" + key + ".json")
        if not os.path.exists(ours_file):
            continue
        tv = json.load(open(os.path.join(directory, name)))
        ours = json.load(open(ours_file))
        rows.append((key, tv, ours))
    print("%-12s %12s %12s %7s %9s %9s %s" % ("case", "torchvision", "ours", "ratio", "tv host", "our host", "load (ours, start)"))
    print("%-12s %12s %12s %7s %9s %9s" % ("", "median ms", "median ms", "o/tv", "share", "share"))
    for key, tv, ours in rows:
        host = ("data", "loss", "postprocess")
        tv_host = sum(v["share"] for k, v in tv["phases"].items() if k in host)
        print("%-12s %12.1f %12.1f %7.2f %8.1f%% %8.1f%% %s" % (
            key, tv["stepMs"]["median"], ours["stepMs"]["median"], ours["stepMs"]["median"] / tv["stepMs"]["median"],
            100 * tv_host, 100 * ours["hostPhasesShare"], " ".join("%.2f" % x for x in ours["machine"]["loadAverage"])))
    print()
    print("per phase, median ms (torchvision / ours):")
    for key, tv, ours in rows:
        parts = []
        for k in ("data", "forward", "loss", "backward", "optimizer", "postprocess", "other"):
            if k in tv["phases"] or k in ours["phases"]:
                a = tv["phases"].get(k, {}).get("medianMs", float("nan"))
                b = ours["phases"].get(k, {}).get("medianMs", float("nan"))
                parts.append("%s %.1f/%.1f" % (k, a, b))
        print("  %-10s %s" % (key, ", ".join(parts)))
    if rows:
        tv, ours = rows[0][1], rows[0][2]
        print()
        print("threads: torchvision %d, ours %d; ONEDNN_MAX_CPU_ISA: torchvision %s, ours %s; %s, %d CPUs" % (
            tv["threads"], ours["machine"]["intraOpThreads"], tv["oneDnnMaxCpuIsa"], ours["machine"]["oneDnnMaxCpuIsa"],
            ours["machine"]["cpuModel"], ours["machine"]["cpus"]))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "compare":
        return compare(sys.argv[2])
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=50, choices=[18, 34, 50, 101])
    p.add_argument("--mode", default="train", choices=["train", "infer"])
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--boxes", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--prior", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    model = build(a.depth, a.size, a.prior)
    batches = [synthetic(a.batch, a.size, a.boxes, rng) for _ in range(3)]
    opt = None
    if a.mode == "train":
        model.train()
        params = [q for q in model.parameters() if q.requires_grad]
        opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=1e-4)
    else:
        model.eval()
    load_start = load()
    totals, phases, nonfinite, detections = [], [], 0, 0
    for i in range(a.warmup + a.steps):
        images, targets = batches[i % len(batches)]
        s = time.perf_counter()
        if a.mode == "train":
            t, finite = train_step(model, opt, images, targets)
            nonfinite += 0 if finite else 1
        else:
            t, n = infer_step(model, images)
            detections = n
        total = time.perf_counter() - s
        if i >= a.warmup:
            t["other"] = total - sum(t.values())
            totals.append(total * 1e3)
            phases.append({k: v * 1e3 for k, v in t.items()})
    step = np.array(totals)
    mean_step = step.mean()
    out = {
        "implementation": "torchvision %s (torch %s)" % (torchvision.__version__, torch.__version__),
        "depth": a.depth, "mode": a.mode, "size": a.size, "batch": a.batch, "steps": a.steps, "warmup": a.warmup,
        "threads": torch.get_num_threads(),
        "stepMs": {"median": float(np.median(step)), "p10": float(np.percentile(step, 10)),
                   "p90": float(np.percentile(step, 90)), "min": float(step.min()), "max": float(step.max()),
                   "mean": float(mean_step)},
        "imagesPerSecond": a.batch / (float(np.median(step)) / 1e3),
        "phases": {k: {"medianMs": float(np.median([ph[k] for ph in phases])),
                       "meanMs": float(np.mean([ph[k] for ph in phases])),
                       "share": float(np.mean([ph[k] for ph in phases]) / mean_step)} for k in phases[0]},
        "rssPeakMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "nonFiniteLosses": nonfinite,
        "detectionsLastStep": detections,
        "oneDnnMaxCpuIsa": os.environ.get("ONEDNN_MAX_CPU_ISA", "default"),
        "loadAverage": load_start, "loadAverageAtEnd": load(), "cpus": os.cpu_count(), "machine": platform.processor(),
    }
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print("torchvision R-%d %s: median %.1f ms (p10 %.1f, p90 %.1f), %.2f images/s, threads %d" % (
            a.depth, a.mode, out["stepMs"]["median"], out["stepMs"]["p10"], out["stepMs"]["p90"],
            out["imagesPerSecond"], out["threads"]))
        for k, v in out["phases"].items():
            print("  %-12s %10.2f  %5.1f%%" % (k, v["medianMs"], 100 * v["share"]))


if __name__ == "__main__":
    sys.exit(main())
