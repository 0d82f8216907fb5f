// What a downloaded Claude Desktop profile must be (DESIGN.md's contract), and a client built
// from it exactly as Claude Desktop would use it.
import { readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import type { Download } from "playwright-core";
import { expect } from "vitest";

export interface DownloadedProfile {
  fileName: string;
  text: string;
  baseUrl: string;
  apiKey: string;
  passthroughKey: string;
  customHeaders: Record<string, string>;
}

export async function readProfile(download: Download, gateway: string, proxyId: string) {
  const fileName = download.suggestedFilename();
  expect(fileName).toMatch(/^archestra_con_[A-Za-z0-9_-]{32}$/);
  const path = await download.path();
  const text = readFileSync(path, "utf8");
  // Pretty-printed, as the contract says.
  expect(text).toContain('\n  "inference": {');
  const json = JSON.parse(text) as Record<string, unknown>;
  expect(json).toEqual({
    $schemaVersion: 2,
    inference: {
      provider: "gateway",
      baseUrl: `${gateway}/v1/anthropic/${proxyId}`,
      customHeaders: {
        "X-Archestra-Agent-Id": "anthropic_claude_desktop",
        "X-Archestra-Virtual-Key": expect.stringMatching(/^arch_[A-Za-z0-9_-]{43,}$/),
      },
      credential: { kind: "static", apiKey: expect.stringMatching(/^arch_[A-Za-z0-9_-]{43,}$/) },
    },
  });
  const inference = json.inference as {
    baseUrl: string;
    customHeaders: Record<string, string>;
    credential: { apiKey: string };
  };
  return {
    fileName,
    text,
    baseUrl: inference.baseUrl,
    apiKey: inference.credential.apiKey,
    passthroughKey: inference.customHeaders["X-Archestra-Virtual-Key"] ?? "",
    customHeaders: inference.customHeaders,
  } satisfies DownloadedProfile;
}

/** The official SDK configured only from the profile, without retries. */
export function clientFrom(profile: DownloadedProfile): Anthropic {
  return new Anthropic({
    baseURL: profile.baseUrl,
    apiKey: profile.apiKey,
    defaultHeaders: profile.customHeaders,
    maxRetries: 0,
  });
}

export function oneToken(client: Anthropic) {
  return client.messages.create({
    model: "claude-haiku-4-5-20251001",
    max_tokens: 1,
    messages: [{ role: "user", content: "Say hi" }],
  });
}
