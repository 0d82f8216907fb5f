// The token of an invitation or password-reset link, as it arrives in a body or query. Only its
// SHA-256 is ever looked up; the bound keeps absurd input from being hashed.
import { z } from "zod";

export const LinkToken = z.string().trim().min(1, "the link's token").max(200);
