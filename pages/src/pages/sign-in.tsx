import type { SignInProviders, SsoErrorCode, UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { useResource } from "../lib/use-resource";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, SubmitRow, useFormState } from "../ui/form";
import { Notice } from "../ui/states";

/** Why single sign-on sent the browser back here (the code is in ?error=). */
const SSO_ERRORS: Partial<Record<SsoErrorCode, string>> = {
  account_deactivated: "Your account has been deactivated. Ask an admin.",
  invalid_state:
    "That sign-in attempt was already used, too old, or from another browser. Try again.",
  idp_refused: "Your identity provider did not let you in.",
  idp_unavailable: "Your identity provider could not be reached. Try again in a moment.",
  sso_not_configured: "Single sign-on is not set up for this organisation.",
  account_conflict:
    "This email belongs to an account linked to another identity. Ask an admin to sort it out.",
  email_missing: "Your identity provider did not share your email address.",
  email_unverified: "Your identity provider says your email address is not verified.",
};

function ssoError(): string | null {
  const code = new URLSearchParams(window.location.search).get("error");
  if (!code) return null;
  return (
    SSO_ERRORS[code as SsoErrorCode] ??
    "Single sign-on did not complete (the sign-in token was refused). Try again, or ask an admin."
  );
}

export function SignInPage(props: { onSignedIn: (user: UserView) => void }) {
  const form = useFormState();
  const providers = useResource(() =>
    api.get<SignInProviders>("/auth/providers").catch(() => null),
  );
  const offered = providers.state === "ready" ? providers.data : null;
  // Back to the same page with its query (the consent screen's is the authorization request).
  const returnTo = window.location.pathname.startsWith("/sign-in")
    ? "/connect"
    : window.location.pathname + window.location.search;
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
      {offered?.oidc.enabled ? (
        <p class="or-divider">
          {offered.ssoOnly ? "Admins can still sign in with a password:" : "or with your password"}
        </p>
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
        <SubmitRow form={form} label="Sign in" busyLabel="Signing in…" />
      </form>
    </AuthFrame>
  );
}
