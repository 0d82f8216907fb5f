// npm start with a .dev.vars someone wrote by hand (GATEHOUSE_DEV_VARS points it at a temporary
// copy, so the developer's own file is never touched): a missing ENCRYPTION_KEY is added and the
// rest of the file kept, so saving a provider key works; a malformed one stops npm start at once
// with a message saying what is wrong and how to fix it.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { freePort, type RunningGateway, startGateway } from "./gateway-process";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const fakeUrl = inject("e2eFakeAnthropicUrl");
const HAND_MADE = `# Mine, written by hand.
SETUP_TOKEN=my-own-setup-token
CUSTOM_NOTE="kept as it was"
`;

const dirs: string[] = [];
let running: RunningGateway | undefined;

function varsFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-devvars-"));
  dirs.push(dir);
  const path = join(dir, ".dev.vars");
  // As an editor would save it with the usual umask: readable by everyone.
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}

/** Runs npm start until it exits by itself (its exit code and output), or stops it after `ms`. */
async function runToExit(env: Record<string, string>, ms: number) {
  const stateDir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  dirs.push(stateDir);
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, ...env, PORT: String(await freePort()), GATEHOUSE_STATE_DIR: stateDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const bound = setTimeout(() => {
    output += "\n(still running: stopped by the test)";
    // SIGTERM, which npm start passes on to the server's own process group.
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  }, ms);
  const code = await exited;
  clearTimeout(bound);
  return { code, output };
}

afterAll(async () => {
  await running?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, HOOK_MS);

describe("npm start and a hand-made .dev.vars", { timeout: TEST_MS }, () => {
  it("adds a missing ENCRYPTION_KEY, keeps the rest, and provider keys save", async () => {
    const path = varsFile(HAND_MADE);
    running = await startGateway({ GATEHOUSE_DEV_VARS: path });
    const vars = parseEnv(readFileSync(path, "utf8"));
    expect(Buffer.from(vars.ENCRYPTION_KEY ?? "", "base64")).toHaveLength(32);
    expect(vars.SETUP_TOKEN).toBe("my-own-setup-token");
    expect(vars.CUSTOM_NOTE).toBe("kept as it was");
    expect(readFileSync(path, "utf8").startsWith(HAND_MADE)).toBe(true);
    // It holds a secret now: readable by its owner only.
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const { api } = await adminApi(running.url);
    const saved = await api<{ id: string; name: string }>("/provider-keys", {
      name: "Hand-made vars",
      provider: "anthropic",
      secret: "sk-ant-api03-fake-provider-key-0123456789",
      baseUrl: fakeUrl,
    });
    expect(saved.name).toBe("Hand-made vars");
  });

  for (const [label, key] of [
    ["too short", "c2hvcnQ="],
    ["not base64", "this is not a key at all, just words!!"],
  ] as const) {
    it(`stops at once, saying why, when ENCRYPTION_KEY is ${label}`, async () => {
      const text = `${HAND_MADE}ENCRYPTION_KEY=${key}\n`;
      const path = varsFile(text);
      const { code, output } = await runToExit({ GATEHOUSE_DEV_VARS: path }, WAIT_MS);
      expect(code, output).not.toBe(0);
      expect(code, output).not.toBeNull();
      expect(output).toMatch(/ENCRYPTION_KEY/);
      expect(output).toMatch(/32 bytes/);
      expect(output).toMatch(/randomBytes\(32\)/);
      expect(output).not.toContain(key);
      expect(readFileSync(path, "utf8")).toBe(text);
    });
  }
});
