"""torchvision's Resize(S, antialias=True) + CenterCrop(S) and bilinear antialiased resizing, written out with
torch.nn.functional.interpolate (torchvision is not installed here): the reference for src/core/data/resample.ts.

Reads JSON from stdin: {"cases": [{"h", "w", "c", "pixels": [...HWC uint8...], "out_h", "out_w"} | {..., "crop": S}]}
and writes {"outputs": [[...HWC uint8...], ...]}.
"""
import json
import sys

import torch
import torch.nn.functional as F


def resize(img, out_h, out_w):
    x = img.permute(2, 0, 1).unsqueeze(0).float()
    y = F.interpolate(x, size=(out_h, out_w), mode="bilinear", align_corners=False, antialias=True)
    return y.round().clamp(0, 255).squeeze(0).permute(1, 2, 0)


def resize_center_crop(img, size):
    h, w = img.shape[0], img.shape[1]
    # torchvision.transforms.functional.resize with an int: the shorter side becomes `size`, the longer is truncated.
    if w <= h:
        ow, oh = size, int(size * h / w)
    else:
        oh, ow = size, int(size * w / h)
    r = resize(img, oh, ow)
    top = int(round((oh - size) / 2.0))
    left = int(round((ow - size) / 2.0))
    return r[top : top + size, left : left + size]


def main():
    cases = json.load(sys.stdin)["cases"]
    outs = []
    for c in cases:
        img = torch.tensor(c["pixels"], dtype=torch.uint8).reshape(c["h"], c["w"], c["c"])
        out = resize_center_crop(img, c["crop"]) if "crop" in c else resize(img, c["out_h"], c["out_w"])
        outs.append(out.to(torch.int64).flatten().tolist())
    json.dump({"outputs": outs}, sys.stdout)


main()
