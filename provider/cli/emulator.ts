import type { Command } from "commander";

/**
 * `orgform emulator` lives in its own package, @orgform/emulator (emulator/ in this repository), so
 * a GitOps repository that installs orgform never installs a web server and a SQLite binding it
 * does not use. The CLI resolves it by package name, only for `orgform emulator` (and `--help`).
 */
export const EMULATOR_PACKAGE = "@orgform/emulator";

/** The one sentence a user gets when the emulator is not installed. */
export const EMULATOR_MISSING = `the emulator is a separate package, ${EMULATOR_PACKAGE}, not installed here: run \`npm install --save-dev ${EMULATOR_PACKAGE}\` in this project.`;

/** What the CLI takes from the emulator package (declared here: the provider does not depend on it). */
export interface EmulatorCli {
  registerEmulator(program: Command): void;
}

export type EmulatorLoad = { ok: true; cli: EmulatorCli } | { ok: false; message: string };

/**
 * Finds the emulator package with `resolve` (require.resolve: throws MODULE_NOT_FOUND when it is not
 * installed) and loads it with `load`. Only "not installed" becomes the install sentence; a package
 * that is installed but fails to load (a missing native binding, a syntax error) throws its own error.
 */
export function loadEmulator(resolve: (id: string) => string, load: (file: string) => unknown): EmulatorLoad {
  let file: string;
  try {
    file = resolve(EMULATOR_PACKAGE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return { ok: false, message: EMULATOR_MISSING };
    throw err;
  }
  const mod = load(file) as Partial<EmulatorCli> | null;
  if (typeof mod?.registerEmulator !== "function") {
    throw new Error(`${EMULATOR_PACKAGE} at ${file} exports no registerEmulator: install the ${EMULATOR_PACKAGE} released with this orgform`);
  }
  return { ok: true, cli: mod as EmulatorCli };
}

/**
 * Registers `orgform emulator`: the package's own command when it is installed, else a command of
 * the same name (listed in `--help`) that accepts any arguments and fails with the install sentence.
 */
export function registerEmulatorCommand(program: Command, loaded: EmulatorLoad = loadEmulator(require.resolve, require)): void {
  if (loaded.ok) {
    loaded.cli.registerEmulator(program);
    return;
  }
  const message = loaded.message;
  program
    .command("emulator")
    .description(`run the local emulator of the vendor APIs (needs ${EMULATOR_PACKAGE})`)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => {
      throw new Error(message);
    });
}
