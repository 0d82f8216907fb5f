import type { UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useResource } from "../lib/use-resource";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, useFormState } from "../ui/form";
import { Notice } from "../ui/states";

interface Providers {
  password: boolean;
  oidc: { enabled: boolean; label: string | null };
  access: boolean;
}

/** Why single sign-on sent the browser back here (the code is in ?error=). */
const SSO_ERRORS: Record<string, string> = {
  deactivated: "Your account has been deactivated. Ask an admin.",
  state: "That sign-in link was already used or too old. Try again.",
};

function ssoError(): string | null {
  const code = new URLSearchParams(window.location.search).get("error");
  if (!code) return null;
  return SSO_ERRORS[code] ?? "Single sign-on did not complete. Try again, or ask an admin.";
}

export function SignInPage(props: { onSignedIn: (user: UserView) => void }) {
  const form = useFormState();
  const providers = useResource(() => api.get<Providers>("/auth/providers").catch(() => null));
  const offered = providers.state === "ready" ? providers.data : null;
  const returnTo = window.location.pathname.startsWith("/sign-in")
    ? "/connect"
    : window.location.pathname;
  const redirectError = ssoError();
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const { user } = await api.post<{ user: UserView }>("/auth/login", {
        email: v.email,
        password: v.password,
      });
      props.onSignedIn(user);
    });
  };
  return (
    <AuthFrame title="Sign in" lead="Use the email and password your admin set up for you.">
      {redirectError ? <Notice tone="error">{redirectError}</Notice> : null}
      {offered?.oidc.enabled ? (
        <a
          class="button secondary wide sso-button"
          href={`/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`}
        >
          Sign in with {offered.oidc.label ?? "SSO"}
        </a>
      ) : null}
      {offered?.oidc.enabled && offered.password ? (
        <p class="or-divider">or with your password</p>
      ) : null}
      <form onSubmit={onSubmit} class="stack">
        <Field label="Email" name="email" type="email" required autoComplete="username" autoFocus />
        <Field
          label="Password"
          name="password"
          type="password"
          required
          autoComplete="current-password"
        />
        {form.error ? <Notice tone="error">{form.error}</Notice> : null}
        <button type="submit" class="button primary wide" disabled={form.busy}>
          {form.busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </AuthFrame>
  );
}
