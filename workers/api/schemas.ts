// Input shapes shared by several admin routes.
import { z } from "zod";

export const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
export const Password = z.string().min(10, "at least 10 characters").max(256);
export const Name = z.string().trim().min(1).max(120);
export const Id = z.string().min(1).max(64);
/** A time in the future, as an ISO 8601 string or epoch milliseconds. */
export const FutureTime = z
  .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)))
  .refine((t) => t > Date.now(), "must be in the future");
