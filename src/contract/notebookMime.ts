/**
 * The notebook output contract: mime types, the JSON payload of each, and the messages between the notebook
 * renderer and the extension. This is a public contract (JSON Schemas in renderers/schemas/<kind>.schema.json):
 * Python kernels emit the same payloads with `display({mime: payload, 'text/plain': ...}, raw=True)`.
 *
 * Payloads are data only: the renderer builds the Vega-Lite spec from them with the pure builders in
 * src/core/charts, so a payload never carries code, expressions or markup. Every payload has `version: 1`; a
 * renderer refuses versions it does not know (with a message), so the format can evolve without silent misreads.
 * JSON has no NaN: where a value can be missing the payload uses null.
 *
 * Imports nothing (the renderer bundle and Python-facing docs depend on it).
 */

export const MIME_PREFIX = 'application/vnd.datadiet.';

export const MIME = {
  histogram: 'application/vnd.datadiet.histogram+json',
  pruningCurve: 'application/vnd.datadiet.pruning-curve+json',
  windowSweep: 'application/vnd.datadiet.window-sweep+json',
  heatmap: 'application/vnd.datadiet.heatmap+json',
  scatter: 'application/vnd.datadiet.scatter+json',
  curves: 'application/vnd.datadiet.curves+json',
  gallery: 'application/vnd.datadiet.gallery+json',
  trainingCurves: 'application/vnd.datadiet.training-curves+json',
  confusionMatrix: 'application/vnd.datadiet.confusion-matrix+json',
  map: 'application/vnd.datadiet.map+json',
} as const;

export type PayloadKind = keyof typeof MIME;
export type DataDietMime = (typeof MIME)[PayloadKind];

export const PAYLOAD_KINDS = Object.keys(MIME) as PayloadKind[];
export const ALL_MIMES: readonly DataDietMime[] = PAYLOAD_KINDS.map((k) => MIME[k]);

/** Schema file base name of each kind (renderers/schemas/<name>.schema.json), the mime type's middle part. */
export function schemaName(kind: PayloadKind): string {
  return MIME[kind].slice(MIME_PREFIX.length, -'+json'.length);
}

export function kindOfMime(mime: string): PayloadKind | undefined {
  return PAYLOAD_KINDS.find((k) => MIME[k] === mime);
}

export const PAYLOAD_VERSION = 1;

/** Where a payload came from; lets the renderer ask the extension for more (brushing) and address annotations. */
export interface PayloadSource {
  /** Run id under .datadiet/runs (a score run for histograms and galleries). */
  runId: string;
  /** Score table name, e.g. "el2n". */
  score?: string;
}

interface Common {
  version: 1;
  title?: string;
  source?: PayloadSource;
  /** A cancelled run: the chart shows the finished part only. */
  partial?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

/** Score histogram, already binned (one row per bin and group is what is drawn; raw scores would be megabytes). */
export interface HistogramPayload extends Common {
  /** Score name, the x-axis title, e.g. "EL2N (epoch 10)". */
  score: string;
  /** bins + 1 ascending edges; bin b is [edges[b], edges[b+1]), the last one closed. */
  edges: number[];
  /** Group names in drawing order, e.g. ["all"] or ["clean", "corrupted"] or one per class. */
  groups: string[];
  /** counts[g][b] */
  counts: number[][];
  /** Examples with a NaN or infinite score, left out of the bins. */
  nonFinite?: number;
  /** y = fraction of each group instead of counts. */
  normalize?: boolean;
  /** How groups share the plot: 'overlay' (default for two), 'facet' (small multiples, default for more), 'stack'. */
  layout?: 'overlay' | 'facet' | 'stack';
  /** Symmetric-log count axis, for skewed scores (the renderer has a toggle; this is where it starts). */
  logCount?: boolean;
  /**
   * Examples to show when a score range is brushed: a sample spread over the bins (`examplesTotal` were scored).
   * With messaging, the renderer also asks the extension for the full range (a `requestRange` message).
   */
  examples?: GalleryItem[];
  examplesTotal?: number;
  /** Class names by label id, for the brushed gallery. */
  classNames?: string[];
  /** Thumbnail size in CSS pixels of the brushed gallery's images. */
  thumbSize?: number;
}

/** Pruning curve: accuracy against fraction pruned, mean line and 16th-84th percentile band over seeds. */
export interface PruningCurvePayload extends Common {
  score?: string;
  series: { name: string; points: { fractionPruned: number; accuracies: number[] }[] }[];
  /** Test accuracy of each seed on all the data (dashed reference). */
  fullData?: number[];
}

/** Sliding-window sweep: accuracy against where the window of score-sorted examples starts. */
export interface WindowSweepPayload extends Common {
  score?: string;
  /** Window size in examples. */
  size: number;
  /** Examples ranked. */
  n: number;
  points: { offset: number; val: number[]; test: number[] }[];
  /** Window chosen on validation. */
  best?: { offset: number };
}

/** Value per example and epoch, e.g. gradient norm over training. */
export interface HeatmapPayload extends Common {
  examples: number[];
  epochs: number[];
  /** values[example][epoch]; null = not measured. */
  values: (number | null)[][];
  valueTitle?: string;
  logColor?: boolean;
}

/** Two scores against each other; `points` is already subsampled (the builder keeps at most a few thousand). */
export interface ScatterPayload extends Common {
  x: { name: string; scale?: 'linear' | 'log' };
  y: { name: string; scale?: 'linear' | 'log' };
  points: { index: number; x: number; y: number; group?: string }[];
  /** Named group drawn on top, e.g. { name: "corrupted", rest: "clean" }. */
  groups?: { name: string; rest: string };
  /** Spearman rank correlation over all finite pairs; null = undefined (constant scores). */
  spearman?: number | null;
  /** Pairs with both values finite, and all pairs (points.length <= finite <= total). */
  finite: number;
  total: number;
}

/** Lines against k, e.g. label entropy or top-k overlap, with an optional constant or curve reference. */
export interface CurvesPayload extends Common {
  xTitle: string;
  yTitle: string;
  /** y null: a gap in the line. */
  series: { name: string; x: number[]; y: (number | null)[] }[];
  baseline?: { name: string; y: number | (number | null)[]; x?: number[] };
  xScale?: 'linear' | 'log';
  /** d3 format of the y axis, e.g. ".0%". */
  yFormat?: string;
}

/** Loss and accuracy (a fraction) of one split at one epoch. */
export interface SplitMetricsPayload {
  loss: number;
  accuracy: number;
}

/** One training's loss and accuracy per epoch for train / validation / test (from the run's metrics.jsonl). */
export interface TrainingCurvesPayload extends Common {
  epochs: { epoch: number; train?: SplitMetricsPayload; validation?: SplitMetricsPayload; test?: SplitMetricsPayload }[];
}

/** Counts of true class (rows) against predicted class (columns) on a split, e.g. test at the end of training. */
export interface ConfusionMatrixPayload extends Common {
  /** Class names by label id. */
  labels: string[];
  /** matrix[true][predicted] = examples */
  matrix: number[][];
  split: 'test' | 'validation' | 'train';
}

// ---------------------------------------------------------------------------------------------------------------
// Map of examples

/** How a map's 2-D coordinates are made. */
export const MAP_METHODS = ['umap', 'pca'] as const;
export type MapMethod = (typeof MAP_METHODS)[number];

/** What colours a map's points. */
export const MAP_COLORS = ['label', 'predicted', 'score', 'suspicion'] as const;
export type MapColor = (typeof MAP_COLORS)[number];

/** A map's points, column-wise (entry i of every array is point i): compact for tens of thousands of points. */
export interface MapPoints {
  x: number[];
  y: number[];
  /** Dataset row of each point (the index of the run's predictions table). */
  index: number[];
  /** Recorded (possibly noisy) label id. */
  label: number[];
  /** The model's predicted class. */
  predicted?: number[];
  /** Value of the score table named by `MapPayload.score`; null where it is not finite. */
  score?: (number | null)[];
  /** max over classes c != label of p(c | x), minus p(label | x): in [-1, 1], positive = the model prefers another class. */
  suspicion?: number[];
  /** 1 where the run's suspected label issues include the point, else 0. */
  flagged?: number[];
}

/**
 * A 2-D map of examples (PCA or UMAP of the run's embeddings, or of its predicted probabilities when it has none),
 * coloured by label, predicted class, a score or suspicion. Brushing a region shows its examples as a gallery.
 */
export interface MapPayload extends Common {
  method: MapMethod;
  /** What was mapped: the run's embeddings (predictions/embeddings.npy) or, without them, its predicted probabilities. */
  input: 'embeddings' | 'probabilities';
  /** Features per example of that input (the embedding width, or the classes). */
  dims: number;
  /** UMAP ran on this many top principal components of the input (wide inputs are reduced first). */
  reducedTo?: number;
  /** PCA: the share of the total variance along x and along y. */
  explained?: [number, number];
  /** The colouring shown first; the renderer offers every colouring the points carry. */
  color: MapColor;
  /** Name of the score table in `points.score`, e.g. "el2n". */
  score?: string;
  /** The suspect method that set `points.flagged`, e.g. "confident-learning". */
  flaggedBy?: string;
  /** Class names by label id. */
  classNames: string[];
  points: MapPoints;
  /**
   * Rows the run has. When there are more than points, the points are a seeded sample and the projection was fitted
   * on it. Points are in a seeded random order, so any prefix of them is a uniform sample too.
   */
  total: number;
  /** Thumbnails of some points (a PNG data URI by dataset row), for brushing without the extension; others are asked for. */
  thumbs?: { index: number; thumb: string }[];
  /** Thumbnail size in CSS pixels of the brushed gallery's images. */
  thumbSize?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Gallery

export interface GalleryItem {
  /** Dataset index of the example. */
  index: number;
  /** Label id (the recorded, possibly noisy label). */
  label: number;
  /** Model's averaged prediction, when known. */
  predicted?: number;
  score: number;
  /** A data:image/png;base64 URI (nothing else is shown: no remote or file URLs). */
  thumb: string;
  /** The example's label was flipped by injected noise (noise studies only). */
  corrupted?: boolean;
  /** A line about the example shown with it, e.g. its split and file in a gallery of duplicates. */
  note?: string;
}

export type GallerySelection =
  | { mode: 'lowest'; perClass: number }
  | { mode: 'highest'; perClass: number }
  /** Percentile band [lo, hi] of the score, in 0..100. */
  | { mode: 'percentile'; lo: number; hi: number; perClass?: number }
  /** Score range [lo, hi]. */
  | { mode: 'range'; lo: number; hi: number; perClass?: number };

export interface GalleryGroup {
  label: number;
  /** The group's name: its class, or in a gallery of duplicates the group's number and kind. */
  className: string;
  items: GalleryItem[];
  /** Examples of this class that matched the selection (items may hold fewer when capped). */
  matched: number;
  /** Warnings shown next to the group's name, e.g. "train/test leakage", "label conflict". */
  flags?: string[];
}

export interface GalleryPayload extends Common {
  score: string;
  selection: GallerySelection;
  /** Class names by label id. */
  classNames: string[];
  /** One group per class with matches, by label id (with groupBy 'duplicate': one per group of duplicates). */
  groups: GalleryGroup[];
  /** Thumbnail size in CSS pixels. */
  thumbSize?: number;
  /**
   * What the groups are: classes (default), or groups of duplicate images (`duplicates` cells: each group's items
   * are copies of one picture, `score` their similarity to the group's first item).
   */
  groupBy?: 'class' | 'duplicate';
}

export interface PayloadByKind {
  histogram: HistogramPayload;
  pruningCurve: PruningCurvePayload;
  windowSweep: WindowSweepPayload;
  heatmap: HeatmapPayload;
  scatter: ScatterPayload;
  curves: CurvesPayload;
  gallery: GalleryPayload;
  trainingCurves: TrainingCurvesPayload;
  confusionMatrix: ConfusionMatrixPayload;
  map: MapPayload;
}

export type AnyPayload = PayloadByKind[PayloadKind];

// ---------------------------------------------------------------------------------------------------------------
// Renderer messaging (contributes.notebookRenderer with requiresMessaging "optional": without an extension on the
// other side, e.g. a Python kernel in plain VS Code, galleries work read-only and brushing uses the embedded sample).

export const ANNOTATE_ACTIONS = ['flag', 'relabel', 'ok', 'exclude'] as const;
export type AnnotateAction = (typeof ANNOTATE_ACTIONS)[number];

/** Renderer -> extension: the user acted on one example in a gallery. */
export interface AnnotateMessage {
  type: 'annotate';
  runId: string;
  /** Dataset index. */
  index: number;
  action: AnnotateAction;
  /** New label id; only with action 'relabel'. */
  label?: number;
  /** Recorded label the user saw, so the extension can detect a stale view. */
  originalLabel?: number;
  score?: string;
}

/** Renderer -> extension: the gallery of a brushed score range, for a histogram whose payload has a source. */
export interface RequestRangeMessage {
  type: 'requestRange';
  /** Echoed in the reply; the renderer ignores replies to superseded requests. */
  requestId: string;
  runId: string;
  score: string;
  lo: number;
  hi: number;
  perClass?: number;
}

/** Most thumbnails one `requestThumbs` may ask for (a brushed map shows a page of them at a time). */
export const MAX_THUMBS_REQUEST = 64;

/** Renderer -> extension: thumbnails of a brushed map region's examples that its payload does not embed. */
export interface RequestThumbsMessage {
  type: 'requestThumbs';
  /** Echoed in the reply; the renderer ignores replies to superseded requests. */
  requestId: string;
  runId: string;
  /** Dataset rows, at most MAX_THUMBS_REQUEST. */
  indices: number[];
}

export type RendererToExtension = AnnotateMessage | RequestRangeMessage | RequestThumbsMessage;

/** Extension -> renderer: reply to a RequestRangeMessage. */
export interface RangeGalleryMessage {
  type: 'rangeGallery';
  requestId: string;
  gallery?: GalleryPayload;
  /** Why there is no gallery (shown to the user). */
  error?: string;
}

/** Extension -> renderer: an annotation was stored (or failed), so every open gallery can mark the example. */
export interface AnnotatedMessage {
  type: 'annotated';
  runId: string;
  index: number;
  action: AnnotateAction;
  label?: number;
  error?: string;
}

/** Extension -> renderer: reply to a RequestThumbsMessage (rows it has no image for are left out). */
export interface ThumbsMessage {
  type: 'thumbs';
  requestId: string;
  thumbs?: { index: number; thumb: string }[];
  /** Why there are no thumbnails (shown to the user). */
  error?: string;
}

export type ExtensionToRenderer = RangeGalleryMessage | AnnotatedMessage | ThumbsMessage;

/** Checks a message from the renderer before acting on it (webview content is not trusted input). */
export function parseRendererMessage(m: unknown): RendererToExtension | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (o.type === 'annotate') {
    if (typeof o.runId !== 'string' || !isInt(o.index) || !ANNOTATE_ACTIONS.includes(o.action as AnnotateAction)) return undefined;
    if (o.action === 'relabel' && !isInt(o.label)) return undefined;
    if (o.label !== undefined && !isInt(o.label)) return undefined;
    if (o.originalLabel !== undefined && !isInt(o.originalLabel)) return undefined;
    if (o.score !== undefined && typeof o.score !== 'string') return undefined;
    const out: AnnotateMessage = { type: 'annotate', runId: o.runId, index: o.index, action: o.action as AnnotateAction };
    if (o.label !== undefined) out.label = o.label as number;
    if (o.originalLabel !== undefined) out.originalLabel = o.originalLabel as number;
    if (o.score !== undefined) out.score = o.score as string;
    return out;
  }
  if (o.type === 'requestRange') {
    if (typeof o.requestId !== 'string' || typeof o.runId !== 'string' || typeof o.score !== 'string') return undefined;
    if (typeof o.lo !== 'number' || typeof o.hi !== 'number' || !Number.isFinite(o.lo) || !Number.isFinite(o.hi) || o.lo > o.hi) return undefined;
    if (o.perClass !== undefined && !(isInt(o.perClass) && (o.perClass as number) > 0)) return undefined;
    const out: RequestRangeMessage = { type: 'requestRange', requestId: o.requestId, runId: o.runId, score: o.score, lo: o.lo, hi: o.hi };
    if (o.perClass !== undefined) out.perClass = o.perClass as number;
    return out;
  }
  if (o.type === 'requestThumbs') {
    if (typeof o.requestId !== 'string' || typeof o.runId !== 'string' || !Array.isArray(o.indices)) return undefined;
    if (o.indices.length === 0 || o.indices.length > MAX_THUMBS_REQUEST || !o.indices.every(isInt)) return undefined;
    return { type: 'requestThumbs', requestId: o.requestId, runId: o.runId, indices: [...(o.indices as number[])] };
  }
  return undefined;
}
