// Whether a model is on a list (a proxy's allow-list, a limit's models). An entry matches its
// exact id, an undated entry matches the dated ids behind it ("claude-sonnet-4-5" allows
// "claude-sonnet-4-5-20250929"), and names of the same built-in model match each other
// ("claude-3-7-sonnet-latest" and "claude-3-7-sonnet-20250219").
import { canonicalModelId } from "./pricing";

const DATE_SUFFIX = /-\d{8}$/;

export function modelAllowed(model: string, allowed: readonly string[] | null): boolean {
  if (allowed === null) return true;
  const undated = model.replace(DATE_SUFFIX, "");
  const canonical = canonicalModelId(model);
  return allowed.some(
    (entry) =>
      entry === model ||
      entry === undated ||
      (canonical !== undefined && canonicalModelId(entry) === canonical),
  );
}
