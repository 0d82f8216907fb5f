// What a grant carries for the MCP gateway: stored (encrypted) by completeAuthorization, handed
// back with every validated access token, and checked with zod when read, since the library
// types it as `any`.
import { z } from "zod";

export interface McpGrantProps {
  userId: string;
  orgId: string;
  gatewayId: string;
  gatewaySlug: string;
  clientName: string | null;
}

export const McpGrantPropsSchema = z.object({
  userId: z.string().min(1),
  orgId: z.string().min(1),
  gatewayId: z.string().min(1),
  gatewaySlug: z.string().min(1),
  clientName: z.string().nullable(),
});

/** Grant metadata (stored in clear, listed with the user's grants). */
export interface McpGrantMetadata {
  gatewaySlug: string;
  clientName: string | null;
}

export const McpGrantMetadataSchema = z.object({
  gatewaySlug: z.string().nullable().catch(null),
  clientName: z.string().nullable().catch(null),
});

export function parseGrantProps(value: unknown): McpGrantProps | null {
  const parsed = McpGrantPropsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
