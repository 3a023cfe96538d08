/** The closed sets of names job parameters take, named once (core, CLI, wizards and cells read them here). */
export const ARCHITECTURES = ['linear', 'mlp', 'cnn-small', 'vgg11', 'vgg13', 'vgg16', 'resnet18', 'resnet50'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * ResNet stems: `cifar` the papers' low-resolution one (3x3 stride 1, no max-pool), `imagenet` torchvision's (7x7
 * stride 2 + 3x3 stride-2 max-pool: the first stage sees a quarter of the side), `auto` the imagenet one from
 * IMAGENET_STEM_MIN_SIDE px up. Other architectures have no stem to choose.
 */
export const STEM_CHOICES = ['auto', 'cifar', 'imagenet'] as const;
export type StemChoice = (typeof STEM_CHOICES)[number];
/** A stem as built and recorded (`auto` resolved). */
export type Stem = Exclude<StemChoice, 'auto'>;
/** Smallest input side (min of height and width) at which `auto` picks the imagenet stem. */
export const IMAGENET_STEM_MIN_SIDE = 64;

export const BACKEND_CHOICES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Heads a frozen backbone's features train (--backbone): the others are image models. */
export const HEAD_ARCHITECTURES = ['linear', 'mlp'] as const;

/** The pixel range a pretrained backbone expects (TF Hub image models: 0-1). */
export const BACKBONE_INPUT_RANGES = ['0-1', '-1-1', '0-255'] as const;
export type BackboneInputRange = (typeof BACKBONE_INPUT_RANGES)[number];

/** How --image-size brings an image to a square: crop (torchvision Resize + CenterCrop) or pad (whole image, black borders). */
export const RESIZE_MODES = ['crop', 'pad'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/**
 * Scores of every training example:
 *   el2n           ||softmax(f(x)) - onehot(y)||_2 at epoch t (batch norm in inference mode)
 *   grand          exact ||grad_w loss(x, y)||_2 over all parameters at epoch t (t = 0: initialization)
 *   grand-last     the same over the classifier's weights only (closed form, cheap) — a labelled approximation
 *   gradmag        gradient magnitude with a chosen norm (l1, l2, linf) and parameter subset (--norm, --params)
 *   label-free-1/2/3  label-independent variants (Data Diet appendix D)
 *   forgetting     forgetting events over epochs 1..t (never-learned examples score highest)
 *   aum            area under the margin over epochs 1..t
 *   confidence / variability / correctness   data-map statistics over epochs 1..t
 */
export const SCORE_NAMES = ['el2n', 'grand', 'grand-last', 'gradmag', 'label-free-1', 'label-free-2', 'label-free-3', 'forgetting', 'aum', 'confidence', 'variability', 'correctness'] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

export const STRATEGY_NAMES = ['keep-top', 'keep-bottom', 'random', 'window', 'non-extreme', 'gradient-cdf'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * Injected label noise (noise studies): `uniform` permutes the labels of a fraction of all trained examples among
 * themselves (Data Diet's protocol); `pairs` relabels a fraction of each class that has a look-alike as that class
 * (7 -> 1, shirt -> T-shirt: core/data/classConditionalNoise.ts), the asymmetric noise real annotators make.
 */
export const NOISE_KINDS = ['uniform', 'pairs'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export const NORM_KINDS = ['l2', 'l1', 'linf'] as const;
export type NormKind = (typeof NORM_KINDS)[number];
/** Which parameters a gradient norm runs over: all, conv/dense weights, conv/dense biases, or the classifier's weights. */
export const PARAM_SUBSETS = ['all', 'weights', 'biases', 'last-layer'] as const;
export type ParamSubset = (typeof PARAM_SUBSETS)[number];
export const CONV_METHODS = ['auto', 'direct', 'ghost'] as const;
export type ConvMethod = (typeof CONV_METHODS)[number];

/**
 * How suspected label issues are flagged (core/annotations/suspects.ts): confident learning (per-class thresholds,
 * the estimated number of issues) or a fixed margin by which another class must lead the label.
 */
export const SUSPECT_METHODS = ['confident-learning', 'threshold'] as const;
export type SuspectMethod = (typeof SUSPECT_METHODS)[number];

/**
 * Confident learning's filters (core/labelErrors/confidentLearning.ts): which examples of the estimated noise are the
 * label issues. prune_by_noise_rate (the paper's default) takes, per given class and true class, the examples the
 * model most prefers the true class for; prune_by_class the least self-confident of each class; both their
 * intersection; confident_learning the off-diagonal of the confident joint; predicted_neq_given argmax != label.
 */
export const ISSUE_FILTERS = ['prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', 'predicted_neq_given'] as const;
export type IssueFilter = (typeof ISSUE_FILTERS)[number];

/**
 * Nearest-neighbour searches (core/similarity/nearestNeighbours.ts): `auto` exact up to a size the bench sets, an
 * approximate HNSW index above; or one of them always.
 */
export const KNN_METHODS = ['auto', 'exact', 'hnsw'] as const;
export type KnnMethod = (typeof KNN_METHODS)[number];
