// GET …/v1/models: the provider's model list, narrowed to what the proxy allows, paginated
// here in the Models API shape (limit, after_id, before_id) so pages hold allowed models only.
import { z } from "zod";
import { modelAllowed } from "../../shared/model-match";
import { fromZodError } from "../errors";

export const ModelsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  after_id: z.string().min(1).optional(),
  before_id: z.string().min(1).optional(),
});

const ModelsPage = z.object({
  data: z.array(z.looseObject({ id: z.string() })),
  has_more: z.boolean().optional(),
  last_id: z.string().nullable().optional(),
});

type Model = z.infer<typeof ModelsPage>["data"][number];

export function parseModelsQuery(search: URLSearchParams) {
  const parsed = ModelsQuery.safeParse(Object.fromEntries(search));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return parsed.data;
}

/** Reads one upstream page; undefined when the body is not a Models API page. */
export function readModelsPage(body: unknown) {
  const parsed = ModelsPage.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

export function pageOfAllowed(
  models: readonly Model[],
  allowed: readonly string[] | null,
  query: z.infer<typeof ModelsQuery>,
) {
  const visible = models.filter((m) => modelAllowed(m.id, allowed));
  let start = 0;
  let end = visible.length;
  if (query.after_id !== undefined) {
    start = visible.findIndex((m) => m.id === query.after_id) + 1;
    if (start === 0) start = visible.length;
    end = Math.min(visible.length, start + query.limit);
  } else if (query.before_id !== undefined) {
    const at = visible.findIndex((m) => m.id === query.before_id);
    end = at === -1 ? 0 : at;
    start = Math.max(0, end - query.limit);
  } else {
    end = Math.min(visible.length, query.limit);
  }
  const data = visible.slice(start, end);
  const hasMore = query.before_id !== undefined ? start > 0 : end < visible.length;
  return {
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
