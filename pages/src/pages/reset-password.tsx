// /reset-password/<token>: a link an admin made; sets a new password and signs in.

import { useLocation } from "preact-iso";
import type { UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { AuthFrame } from "../ui/auth-frame";
import { formValues, NewPasswordField, SubmitRow, useFormState } from "../ui/form";

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
        <NewPasswordField label="New password" error={form.fields.password} />
        <SubmitRow form={form} label="Save and sign in" busyLabel="Saving…" />
      </form>
    </AuthFrame>
  );
}
