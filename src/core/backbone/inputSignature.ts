/**
 * The image size a backbone is fed, resolved from its input signature. Free dimensions (null in a layers model,
 * -1 in a graph model) mean "any size": the caller's requested size fills them, else DEFAULT_INPUT_SIZE, the
 * resolution most published image feature extractors were trained at.
 */
import { DataFormatError } from '../data/dataset';
import { InputError } from '../inputError';

export const DEFAULT_INPUT_SIZE = 224;

/** Height and width, or one number for a square. */
export type InputSizeRequest = number | readonly [number, number];

export interface BackboneInput {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Batch size the signature fixes (converted models sometimes fix 1); undefined when any batch works. */
  readonly fixedBatch?: number;
  /** True when the height or width came from the request or the default rather than the model. */
  readonly sizeChosen: boolean;
  /** Element type of the input tensor: graph models converted from integer-image signatures take int32. */
  readonly dtype: 'float32' | 'int32';
}

function free(d: number | null | undefined): boolean {
  return d === null || d === undefined || d <= 0;
}

function requestedHW(size: InputSizeRequest | undefined): [number, number] | undefined {
  if (size === undefined) return undefined;
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new InputError(`input size ${h}x${w} is not a positive whole number of pixels`);
  return [h, w];
}

/**
 * `shape` is the model's input shape ([batch, height, width, channels] for an image model), undefined when the
 * model does not declare one. `file` names model.json in errors.
 */
export function resolveInput(shape: readonly (number | null)[] | undefined, dtype: string | undefined, request: InputSizeRequest | undefined, file: string): BackboneInput {
  const dims = shape ?? [-1, -1, -1, -1];
  const shown = `[${dims.map((d) => (free(d) ? '?' : d)).join(', ')}]`;
  if (dims.length !== 4) {
    throw new DataFormatError(file, `the model takes input of shape ${shown}, not an image batch [batch, height, width, channels]`, 'use an image feature extractor');
  }
  const [b, h, w, c] = dims;
  if (!free(dims[1]) && (dims[1] === 1 || dims[1] === 3) && !free(c) && (c as number) > 4) {
    throw new DataFormatError(file, `the model takes channels-first input ${shown}`, 'convert a channels-last (NHWC) version of the model');
  }
  if (!free(c) && (c as number) !== 1 && (c as number) !== 3) {
    throw new DataFormatError(file, `the model takes ${c}-channel input ${shown}; only 1 (grayscale) or 3 (RGB) channels can be fed`, 'use a grayscale or RGB image model');
  }
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') {
    throw new DataFormatError(file, `the model takes ${dtype} input; only float32 or int32 images can be fed`, 'use a model with a float image input');
  }
  const want = requestedHW(request);
  const fixedH = free(h) ? undefined : (h as number);
  const fixedW = free(w) ? undefined : (w as number);
  if (want && ((fixedH !== undefined && fixedH !== want[0]) || (fixedW !== undefined && fixedW !== want[1]))) {
    throw new InputError(`input size ${want[0]}x${want[1]} does not fit the backbone ${file}: it takes ${shown} (leave the input size out to use the model's own)`);
  }
  return {
    height: fixedH ?? want?.[0] ?? DEFAULT_INPUT_SIZE,
    width: fixedW ?? want?.[1] ?? DEFAULT_INPUT_SIZE,
    channels: free(c) ? 3 : (c as number),
    fixedBatch: free(b) ? undefined : (b as number),
    sizeChosen: fixedH === undefined || fixedW === undefined,
    dtype: dtype === 'int32' ? 'int32' : 'float32',
  };
}
