/**
 * The entries of `partial` that are set: a CLI passes every option, unset ones as undefined, and a plain spread
 * would let those undefined values wipe out an experiment's own defaults (e.g. its small training subset).
 */
export function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}
