// Progress of long reads: a bar (cli-progress) on a terminal, plain periodic lines otherwise (CI
// logs), always on stderr so that stdout holds only the result.
import { SingleBar, Presets } from "cli-progress";
import type { ReadProgress } from "../gitops/live";

export interface Progress {
  update(p: ReadProgress): void;
  stop(): void;
}

const PHASE = { organizations: "listing organizations", details: "reading profiles and members" } as const;

export function progressReporter(command: string, options: { stream?: NodeJS.WriteStream; intervalMs?: number; quiet?: boolean } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, stop() {} };
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      update(p) {
        if (p.phase !== "details") return;
        if (!bar) {
          bar = new SingleBar({ stream, format: `${command} {bar} {value}/{total} organizations ({eta_formatted} left)`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
          bar.start(p.total, p.done);
        } else bar.update(p.done);
      },
      stop: () => bar?.stop(),
    };
  }
  const interval = options.intervalMs ?? 2000;
  let last = 0;
  let lastPhase: string | undefined;
  return {
    update(p) {
      const now = Date.now();
      const phaseDone = p.total > 0 && p.done === p.total;
      // A line when a phase starts or ends, and at most one per interval in between.
      if (p.phase !== lastPhase || phaseDone || now - last >= interval) {
        if (p.phase === lastPhase && !phaseDone && p.done === 0) return;
        stream.write(`${command}: ${PHASE[p.phase]}${p.total ? ` ${p.done}/${p.total}` : ""}\n`);
        last = now;
        lastPhase = p.phase;
      }
    },
    stop() {},
  };
}
