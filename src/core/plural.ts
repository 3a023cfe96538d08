/** "1 epoch", "2 epochs", "1,000 runs": a count with its noun, for every message a user reads. */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
