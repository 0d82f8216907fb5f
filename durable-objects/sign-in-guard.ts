// Brute-force protection for sign-in and for key guessing on the proxy (being built).
import { DurableObject } from "cloudflare:workers";

export class SignInGuard extends DurableObject<Env> {}
