// Reads and checks the client's JSON body without changing it: the original bytes are what
// goes upstream. Only the fields the gateway needs are validated; the rest is the provider's.
import { z } from "zod";
import { badRequest, fromZodError, GatewayError } from "../errors";

const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
});

const CountTokensRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
});

export type MessagesBody = z.infer<typeof MessagesRequest>;

const SCHEMAS = { messages: MessagesRequest, count_tokens: CountTokensRequest } as const;

export async function readBody(request: Request, maxBytes: number) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

export function parseBody<K extends keyof typeof SCHEMAS>(
  kind: K,
  bytes: ArrayBuffer,
): z.infer<(typeof SCHEMAS)[K]> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  const parsed = SCHEMAS[kind].safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error, "request body");
  return parsed.data as z.infer<(typeof SCHEMAS)[K]>;
}

function tooLarge(maxBytes: number) {
  return new GatewayError(413, `The request body is larger than ${maxBytes} bytes.`);
}
