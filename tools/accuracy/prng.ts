/** A small seeded PRNG (mulberry32) and helpers: the corpus must be byte-identical on every regeneration. */
import { prng } from '@dualwatch/scoring/testing/order-generator';

export type Rng = () => number;

/** The project's seeded generator (mulberry32, shared with the synthetic order generator). */
export const mulberry32: (seed: number) => Rng = prng;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng() * items.length)];
}

/** A deterministic sample of k items (without replacement), in a shuffled but seed-stable order. */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, Math.min(k, copy.length));
}
