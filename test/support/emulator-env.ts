// An emulator for one describe block whose backend the provider's handlers reach through the
// environment (its credentials and ORGFORM_ENDPOINT), as a deployment does; the environment is
// restored afterwards.
import { afterAll, beforeAll } from "vitest";
import { startEmulator, type EmulatorOptions, type StartedEmulator } from "../../emulator";
import type { BackendName } from "../../provider/core/backends";
import { emulatorCredentialEnv } from "../../scripts/emulator-credentials";

/** `seed`: what the emulator holds at start (a seed document, emulator/README.md). */
export function useEmulatorEnv(backend: BackendName, seed?: EmulatorOptions["seed"]): () => StartedEmulator {
  let emu: StartedEmulator | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, db: ":memory:", ...(seed !== undefined ? { seed } : {}) });
    const env = { ...emulatorCredentialEnv(backend, emu), ORGFORM_ENDPOINT: emu.baseUrls[backend] };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    await emu?.close();
  });
  return () => {
    if (!emu) throw new Error("the emulator is started in beforeAll");
    return emu;
  };
}
