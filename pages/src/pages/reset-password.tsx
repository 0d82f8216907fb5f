// /reset-password/<token>: a link an admin made; sets a new password and signs in.

import { useLocation } from "preact-iso";
import type { UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, useFormState } from "../ui/form";
import { Notice } from "../ui/states";

export function ResetPasswordPage(props: { token: string; onDone: (user: UserView) => void }) {
  const form = useFormState();
  const location = useLocation();
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const { user } = await api.post<{ user: UserView }>("/password-resets/accept", {
        token: props.token,
        password: v.password,
      });
      props.onDone(user);
      location.route("/connect", true);
    });
  };
  return (
    <AuthFrame
      title="Choose a new password"
      lead="Your other sessions are signed out when you save it."
    >
      <form class="stack" onSubmit={onSubmit}>
        <Field
          label="New password"
          name="password"
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          hint="At least 10 characters."
          error={form.fields.password}
        />
        {form.error ? <Notice tone="error">{form.error}</Notice> : null}
        <button type="submit" class="button primary wide" disabled={form.busy}>
          {form.busy ? "Saving…" : "Save and sign in"}
        </button>
      </form>
    </AuthFrame>
  );
}
