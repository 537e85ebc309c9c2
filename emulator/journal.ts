/**
 * The last requests each dialect answered, with their JSON bodies, for tests and users' CI to see
 * exactly what a client sent (`GET /_admin/requests`): that an export-only field is never sent, that
 * an update carries only the declared fields. Headers are never kept (credentials live there), and
 * the token endpoints are not journaled (their bodies hold client secrets). In memory, bounded.
 */

export interface JournalEntry {
  seq: number;
  time: string;
  dialect: string;
  method: string;
  /** Path after the dialect's prefix, with its query string. */
  url: string;
  body: unknown;
  status: number | "reset";
}

export class RequestJournal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 2000) {}

  record(entry: Omit<JournalEntry, "seq">): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(filter: { dialect?: string; limit?: number; afterSeq?: number } = {}): JournalEntry[] {
    let out = this.entries;
    if (filter.dialect) out = out.filter((e) => e.dialect === filter.dialect);
    if (filter.afterSeq !== undefined) out = out.filter((e) => e.seq > filter.afterSeq!);
    return filter.limit !== undefined ? out.slice(-filter.limit) : [...out];
  }

  get lastSeq(): number {
    return this.seq;
  }

  reset(): void {
    this.entries = [];
  }
}
