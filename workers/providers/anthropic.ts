// Providers are described as data. The proxy code reads these fields instead of branching on
// provider names, so a second provider is a second record, not a second code path.

export interface ProviderSpec {
  id: "anthropic";
  defaultBaseUrl: string;
  /** Header the provider key goes in when the gateway swaps a standard virtual key. */
  keyHeader: "x-api-key";
  /** Direct credentials with this prefix are a subscription (billed $0, list price kept). */
  subscriptionTokenPrefix: string;
}

export const anthropic: ProviderSpec = {
  id: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com",
  keyHeader: "x-api-key",
  subscriptionTokenPrefix: "sk-ant-oat",
};

export const PROVIDERS = { anthropic } as const;
export type ProviderId = keyof typeof PROVIDERS;
