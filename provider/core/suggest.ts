/**
 * "Did you mean" helper: the closest candidate within a small edit distance, if any.
 *
 * Cheap for many candidates: a candidate whose length differs by more than the allowed distance is
 * skipped without computing anything, and the distance computation gives up as soon as it cannot
 * beat the best so far. The work is counted in cells of the distance table and bounded: a search
 * stops when it has spent its budget (answering the best found so far, or nothing), so 10,000 long,
 * alike keys cost milliseconds, not minutes. Callers with many inputs (one per organization) cache
 * per input, cap how many inputs get a suggestion and share one budget (see `Suggester`).
 */
export function suggest(input: string, candidates: Iterable<string>, budget: WorkBudget = { cells: DEFAULT_CELLS_PER_SEARCH }): string | undefined {
  const needle = normalize(input);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (budget.cells <= 0) break;
    const other = normalize(c);
    const limit = Math.min(allowedDistance(input, c), bestScore - 1);
    if (Math.abs(needle.length - other.length) > limit) continue;
    suggestionWork.distances++;
    const d = boundedLevenshtein(needle, other, limit, budget);
    if (d <= limit) {
      bestScore = d;
      best = c;
    }
  }
  return best;
}

/** Cells of the distance table a search may still compute; spent as it goes. */
export interface WorkBudget {
  cells: number;
}

/** One search: a few hundred long candidates, or tens of thousands of short ones (~10 ms). */
export const DEFAULT_CELLS_PER_SEARCH = 2_000_000;

/** Work done so far, process-wide (distances computed, table cells filled): lets tests check it is bounded. */
export const suggestionWork = { distances: 0, cells: 0 };

/** About a third of the longer word, at least 2. */
function allowedDistance(a: string, b: string): number {
  return Math.max(2, Math.floor(Math.max(a.length, b.length) / 3));
}

/** Case, `-` and `_` do not count: `businessEmail` matches `business_email`. */
function normalize(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Suggestions for many inputs against one candidate list: each distinct input is computed once,
 * only the first `maxInputs` distinct inputs get one, and all of them share `totalCells` of work
 * (a file with thousands of different misspellings gets hints for the first ones, not minutes of
 * work).
 */
export class Suggester {
  private readonly cache = new Map<string, string | undefined>();
  private readonly budget: WorkBudget;
  constructor(
    private readonly candidates: () => Iterable<string>,
    private readonly maxInputs = 20,
    totalCells = 4 * DEFAULT_CELLS_PER_SEARCH,
  ) {
    this.budget = { cells: totalCells };
  }

  suggest(input: string, exclude?: string): string | undefined {
    const hit = this.cached(input, () => suggest(input, this.candidates(), this.budget));
    if (hit === undefined || hit !== exclude) return hit;
    // The best candidate is excluded (never suggest an organization as its own parent): the next best.
    return this.cached(`${input}\u0000${exclude}`, () => suggest(input, [...this.candidates()].filter((c) => c !== exclude), this.budget));
  }

  private cached(id: string, compute: () => string | undefined): string | undefined {
    if (this.cache.has(id)) return this.cache.get(id);
    const hit = this.cache.size < this.maxInputs && this.budget.cells > 0 ? compute() : undefined;
    this.cache.set(id, hit);
    return hit;
  }
}

export function levenshtein(a: string, b: string): number {
  return boundedLevenshtein(a, b, Infinity);
}

/** Edit distance, or a number above `limit` as soon as the distance is known to exceed it. */
export function boundedLevenshtein(a: string, b: string, limit: number, budget?: WorkBudget): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    let rowMin = prev[0];
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
      if (prev[j]! < rowMin) rowMin = prev[j]!;
    }
    suggestionWork.cells += b.length;
    if (budget) budget.cells -= b.length;
    if (rowMin > limit || (budget && budget.cells <= 0)) return limit + 1;
  }
  return prev[b.length]!;
}
