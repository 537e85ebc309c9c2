// Progress of long reads: when stderr is not a terminal (CI logs), a line when a phase starts or
// ends and at most one per interval in between; on a terminal, cli-progress's bar.
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

/** A terminal as cli-progress drives one: what it writes, with the cursor moves it makes. */
function aTerminal() {
  const writes: string[] = [];
  const stream = {
    isTTY: true,
    columns: 120,
    write: (t: string) => writes.push(t),
    cursorTo: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { writes, stream: stream as unknown as NodeJS.WriteStream };
}

describe("progress on a terminal", () => {
  it("draws one bar for the organizations read, redrawn at a frame rate and not per organization, and leaves the terminal as it found it", () => {
    const { writes, stream } = aTerminal();
    const progress = progressReporter("drift", { stream });
    progress.update({ phase: "organizations", done: 0, total: 0 });
    progress.update({ phase: "organizations", done: 500, total: 500 });
    expect(writes).toEqual([]); // the list is one or a few pages: no bar for it
    for (let done = 0; done <= 500; done++) progress.update({ phase: "details", done, total: 500 });
    progress.stop();
    const frames = writes.filter((w) => w.startsWith("drift "));
    expect(frames[0]).toMatch(/^drift \S+ 0\/500 organizations \(/);
    expect(frames.at(-1)).toMatch(/^drift \S+ 500\/500 organizations \(/);
    expect(frames.length).toBeLessThan(50);
    const all = writes.join("");
    expect(all.indexOf("\u001b[?25l")).toBeLessThan(all.indexOf(frames[0])); // cursor hidden while drawing
    expect(all.lastIndexOf("\u001b[?25h")).toBeGreaterThan(all.lastIndexOf(frames.at(-1)!)); // and shown again
    expect(all.endsWith("\n")).toBe(true); // what follows starts on its own line
  });

  it("draws nothing when quiet", () => {
    const { writes, stream } = aTerminal();
    const progress = progressReporter("export", { stream, quiet: true });
    progress.update({ phase: "details", done: 1, total: 2 });
    progress.stop();
    expect(writes).toEqual([]);
  });
});
