#!/usr/bin/env python3
"""Writes platform-api's bfloat16-cast.pt: a TorchScript module whose forward is x.to(torch.bfloat16).

DJL 0.36's PyTorch JNI maps no bfloat16 type, so Java cannot ask libtorch for one; libtorch can
still run a script that makes one. The file is committed (1.5 KB); this script says what is in it.
Run with Debian's python3-torch: /usr/bin/python3 scripts/make-bfloat16-cast.py
"""
import pathlib

import torch


class ToBfloat16(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16)


out = pathlib.Path(__file__).resolve().parent.parent / (
    "platform-api/src/main/resources/org/retinanet/api/nn/bfloat16-cast.pt")
out.parent.mkdir(parents=True, exist_ok=True)
torch.jit.script(ToBfloat16()).save(str(out))
print(out)
