// Whether a model id is on a proxy's allow-list. An entry matches its exact id, and an alias
// entry (no date) also matches the dated ids behind it: "claude-sonnet-4-5" allows
// "claude-sonnet-4-5-20250929".

const DATE_SUFFIX = /-\d{8}$/;

export function modelAllowed(model: string, allowed: readonly string[] | null): boolean {
  if (allowed === null) return true;
  const undated = model.replace(DATE_SUFFIX, "");
  return allowed.some((entry) => entry === model || entry === undated);
}
