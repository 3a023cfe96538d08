import { outputItems, TEXT_MIME, type OutputItem } from '../notebook/fallbacks';
import type { CellOutput } from './execute';

export const MARKDOWN_MIME = 'text/markdown';

/** Output items of one cell output: payloads with their fallbacks (notebook/fallbacks.ts); tables as markdown and text. */
export async function cellOutputItems(out: CellOutput): Promise<OutputItem[]> {
  if (out.type === 'payload') return outputItems(out.kind, out.payload);
  return [
    { mime: MARKDOWN_MIME, text: out.markdown },
    { mime: TEXT_MIME, text: out.plain },
  ];
}
