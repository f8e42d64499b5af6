/** mulberry32: a small, seeded, deterministic PRNG (tests must be reproducible): 32-bit unsigned integers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same generator as floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const next = prng(seed);
  return () => next() / 4294967296;
}
