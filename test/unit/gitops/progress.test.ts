// Progress of long reads when stderr is not a terminal (CI logs): a line when a phase starts or
// ends, and at most one per interval in between.
import { describe, expect, it } from "vitest";
import { progressReporter } from "../../../provider/cli/progress";

function aLog() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (t: string) => lines.push(t.trimEnd()) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

describe("progress on a stream that is not a terminal", () => {
  it("prints where each phase starts and ends, not every organization", () => {
    const { lines, stream } = aLog();
    const progress = progressReporter("export", { stream, intervalMs: 60_000 });
    progress.update({ phase: "organizations", done: 0, total: 0 });
    progress.update({ phase: "organizations", done: 500, total: 500 });
    for (let done = 0; done <= 500; done++) progress.update({ phase: "details", done, total: 500 });
    progress.stop();
    expect(lines).toEqual(["export: listing organizations", "export: listing organizations 500/500", "export: reading profiles and members 0/500", "export: reading profiles and members 500/500"]);
  });

  it("prints nothing when quiet", () => {
    const { lines, stream } = aLog();
    const progress = progressReporter("drift", { stream, quiet: true });
    progress.update({ phase: "details", done: 1, total: 2 });
    expect(lines).toEqual([]);
  });
});
