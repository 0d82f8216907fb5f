import type { UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, useFormState } from "../ui/form";
import { Notice } from "../ui/states";

export function SignInPage(props: { onSignedIn: (user: UserView) => void }) {
  const form = useFormState();
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
