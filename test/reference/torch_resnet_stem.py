#!/usr/bin/python3
"""PyTorch reference for the ResNets' ImageNet stem (checked by test/unit/core/models/resnetStemTorch.test.ts).

  torchvision   torchvision's resnet18 and resnet50, rebuilt from plain torch.nn modules as
                torchvision/models/resnet.py defines them (torchvision is not installed here): their parameter
                counts (resnet18 with 3 input channels and 10 classes, resnet50 with 1000 classes), and the side of
                the stem's output (after the max-pool) and of the last stage's output for each --sides input side
  stem          given a Data Diet checkpoint of resnet18 built with the ImageNet stem and examples (NHWC float32), in
                eval mode (batch norm on its running statistics), in float64:
                  stem     the stem's output (conv 7x7 stride 2 padding 3, batch norm, ReLU, max-pool 3x3 stride 2
                           padding 1: nn.Conv2d and nn.MaxPool2d with PyTorch's own padding), NHWC
                  logits   the whole network's
                  stemGrad each example's gradient of <logits_i, c_i> (c: --cotangent) w.r.t. the stem conv's weight,
                           in Data Diet's [kh, kw, cin, cout] layout
                  margins  each example's distance from ReLU and max-pool kinks (torch_reference.py kink_margins)

Usage:
  /usr/bin/python3 test/reference/torch_resnet_stem.py --sides 64,65,96,224 --out result.json
  /usr/bin/python3 test/reference/torch_resnet_stem.py --sides 64 --width 0.25 --input 64,64,3 --classes 10 \
      --weights DIR/weights --x x.f32 --cotangent c.f32 --out result.json
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402


# ---- torchvision.models.resnet, written out ----


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(cin, planes, stride), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes), nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1, self.bn1 = conv1x1(cin, planes), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes, stride), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = conv1x1(planes, planes * 4), nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def torchvision_facts(sides):
    r18 = ResNet(BasicBlock, [2, 2, 2, 2], 10)
    r50 = ResNet(Bottleneck, [3, 4, 6, 3], 1000)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    seen = {}
    r18.maxpool.register_forward_hook(lambda _m, _i, out: seen.__setitem__("stem", list(out.shape[2:])))
    r18.layer4.register_forward_hook(lambda _m, _i, out: seen.__setitem__("last", list(out.shape[2:])))
    shapes = {}
    r18.eval()
    with torch.no_grad():
        for s in sides:
            logits = r18(torch.zeros(1, 3, s, s))
            shapes[str(s)] = {"stem": seen["stem"], "lastStage": seen["last"], "logits": list(logits.shape)}
    return {"resnet18": count(r18), "resnet50": count(r50), "sides": shapes}


# ---- Data Diet's resnet18 with the ImageNet stem, on its own weights ----


def stem_reference(a):
    in_shape = tuple(int(s) for s in a.input.split(","))
    dtype = torch.float64
    xs = np.fromfile(a.x, dtype="<f4")
    n = xs.size // math.prod(in_shape)
    x = torch.from_numpy(xs.reshape(n, *in_shape).transpose(0, 3, 1, 2).copy()).to(dtype)
    cot = torch.from_numpy(np.fromfile(a.cotangent, dtype="<f4").reshape(n, a.classes).copy()).to(dtype)
    model = ref.build("resnet18", in_shape, a.classes, a.width, "imagenet").to(dtype)
    ref.load_checkpoint(model, a.weights, "resnet18", dtype)
    model.eval()
    with torch.no_grad():
        stem = model.stem_forward(x)
        logits = model(x)
    grads = []
    for i in range(n):
        model.zero_grad(set_to_none=True)
        (model(x[i : i + 1]) * cot[i : i + 1]).sum().backward()
        grads.append(ref.from_torch(model.stem.weight.grad.detach().numpy(), "conv").reshape(-1).tolist())
    return {
        "stem": stem.permute(0, 2, 3, 1).reshape(-1).tolist(),
        "stemShape": [n] + list(stem.permute(0, 2, 3, 1).shape[1:]),
        "logits": logits.reshape(-1).tolist(),
        "stemGrad": grads,
        "margins": ref.kink_margins(model, x).tolist(),
    }


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sides", default="64,65,96,224", help="input sides for the torchvision shapes")
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--input", help="H,W,C of the examples")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--weights", help="checkpoint prefix: reads <prefix>.json and <prefix>.bin")
    p.add_argument("--x", help="float32 LE examples, N*H*W*C (NHWC)")
    p.add_argument("--cotangent", help="float32 LE, N*classes")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    result = {"torch": torch.__version__, "torchvision": torchvision_facts([int(s) for s in a.sides.split(",")])}
    if a.weights:
        result.update(stem_reference(a))
    with open(a.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1:])
