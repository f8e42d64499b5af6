/**
 * Bounded concurrency: run `fn` over `items` with at most `limit` in flight. On the first failure
 * no new item starts; the ones in flight are awaited, then the first error is thrown (so nothing
 * keeps writing after the caller has moved on).
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const state: { next: number; failure: { readonly error: unknown } | null } = { next: 0, failure: null };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (state.failure !== null || state.next >= items.length) return;
      const i = state.next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        state.failure ??= { error };
      }
    }
  };
  const width = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (state.failure !== null) throw state.failure.error;
  return results;
}
