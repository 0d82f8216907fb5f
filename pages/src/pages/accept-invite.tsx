// /invite/<token>: someone an admin invited sets their name and password and is signed in.

import { useLocation } from "preact-iso";
import type { InvitationLookup, UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { useResource } from "../lib/use-resource";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, NewPasswordField, SubmitRow, useFormState } from "../ui/form";
import { ErrorState, Loading } from "../ui/states";

export function AcceptInvitePage(props: { token: string; onDone: (user: UserView) => void }) {
  const invitation = useResource(
    () => api.get<InvitationLookup>("/invitations/lookup", { token: props.token }),
    [props.token],
  );
  const form = useFormState();
  const location = useLocation();
  if (invitation.state === "loading") return <Loading label="Opening your invitation…" fullPage />;
  if (invitation.state === "error") {
    return (
      <AuthFrame
        title="This invitation cannot be used"
        lead="Ask the admin who invited you for a new link."
      >
        <ErrorState message={invitation.message} />
        <a class="button secondary wide" href="/">
          Go to sign-in
        </a>
      </AuthFrame>
    );
  }
  const { email, organisationName, expiresAt } = invitation.data;
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const { user } = await api.post<{ user: UserView }>("/invitations/accept", {
        token: props.token,
        name: v.name,
        password: v.password,
      });
      props.onDone(user);
      location.route("/connect", true);
    });
  };
  return (
    <AuthFrame
      title={`Join ${organisationName}`}
      lead={`You were invited as ${email}. The link works until ${formatDate(expiresAt)}.`}
    >
      <form class="stack" onSubmit={onSubmit}>
        <Field
          label="Your name"
          name="name"
          required
          autoComplete="name"
          error={form.fields.name}
        />
        <NewPasswordField label="Choose a password" error={form.fields.password} />
        <SubmitRow form={form} label="Join" busyLabel="Joining…" />
      </form>
    </AuthFrame>
  );
}
