/**
 * `work(0)`, `work(1)`, ... `work(n - 1)` started in order with at most `limit` running at once (decodes on libuv's
 * pool, header reads). Once a call returns false, or the signal aborts, no further one starts.
 */
export async function forEachInFlight(n: number, limit: number, work: (i: number) => Promise<boolean | void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (next < n && !stopped) {
      signal?.throwIfAborted();
      if ((await work(next++)) === false) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}
