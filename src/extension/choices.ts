// The choices the extension offers with a line of detail each; test/unit/extension/choices.test.ts checks their ids
// equal the contract's lists (src/contract/choices.ts).
import type { Architecture, BackendChoice, ScoreName } from '../contract/choices';

export const ARCHITECTURE_CHOICES: readonly { readonly id: Architecture; readonly detail: string }[] = [
  { id: 'linear', detail: 'softmax regression: seconds on a CPU' },
  { id: 'mlp', detail: 'one hidden layer: a small head on pretrained features (datadiet.backbone)' },
  { id: 'cnn-small', detail: 'conv32-pool-conv64-pool-dense128: the papers\u2019 MNIST-style net' },
  { id: 'vgg11', detail: 'VGG-11 with batch norm' },
  { id: 'vgg13', detail: 'VGG-13 with batch norm' },
  { id: 'vgg16', detail: 'VGG-16 with batch norm' },
  { id: 'resnet18', detail: 'ResNet-18, CIFAR or ImageNet stem by image size (try width 0.25 on a CPU)' },
  { id: 'resnet50', detail: 'ResNet-50, CIFAR or ImageNet stem by image size' },
];

export const BACKEND_OPTIONS: readonly { readonly id: BackendChoice; readonly detail: string }[] = [
  { id: 'auto', detail: 'the fastest available: tfjs-node-gpu > tfjs-node > webgpu > wasm > cpu' },
  { id: 'tfjs-node-gpu', detail: 'CUDA through libtensorflow (optional package @tensorflow/tfjs-node-gpu)' },
  { id: 'tfjs-node', detail: 'native CPU through libtensorflow (optional package @tensorflow/tfjs-node)' },
  { id: 'webgpu', detail: 'WebGPU through Dawn (optional package webgpu; needs a Vulkan driver)' },
  { id: 'wasm', detail: 'WebAssembly with SIMD and threads: always available' },
  { id: 'cpu', detail: 'plain JavaScript: slow, for checking the others' },
];

export const SCORE_OPTIONS: readonly { readonly id: ScoreName; readonly detail: string; readonly picked?: boolean }[] = [
  { id: 'el2n', detail: 'error L2 norm of the softmax output early in training', picked: true },
  { id: 'grand', detail: 'exact per-example gradient norm over all parameters', picked: true },
  { id: 'grand-last', detail: 'gradient norm over the classifier layer only (fast approximation)' },
  { id: 'gradmag', detail: 'gradient magnitude with a chosen norm and parameter subset' },
  { id: 'label-free-1', detail: 'label-free: norm of the gradient of summed logits' },
  { id: 'label-free-2', detail: 'label-free: distance of the softmax output from uniform' },
  { id: 'label-free-3', detail: 'label-free: sum of per-class gradient norms squared' },
  { id: 'forgetting', detail: 'forgetting events over training epochs (needs epoch \u2265 1)' },
  { id: 'aum', detail: 'area under the margin over training epochs' },
  { id: 'confidence', detail: 'data map: mean probability of the true label' },
  { id: 'variability', detail: 'data map: spread of the true-label probability' },
  { id: 'correctness', detail: 'data map: fraction of epochs classified correctly' },
];

export const SCORE_DYNAMICS: readonly ScoreName[] = ['forgetting', 'aum', 'confidence', 'variability', 'correctness'];

/** Where Debian's dataset-fashion-mnist puts its files (the engine's fashion-mnist loader reads them there). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
