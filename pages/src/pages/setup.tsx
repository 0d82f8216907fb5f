// First run: creates the organisation and its first admin, then signs them in.
import type { UserView } from "../../../shared/api-types";
import { api } from "../lib/api";
import { AuthFrame } from "../ui/auth-frame";
import { Field, formValues, NewPasswordField, SubmitRow, useFormState } from "../ui/form";

export function SetupPage(props: { tokenRequired: boolean; onDone: (user: UserView) => void }) {
  const form = useFormState();
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      const { user } = await api.post<{ user: UserView }>(
        "/setup",
        {
          organisationName: v.organisationName,
          name: v.name,
          email: v.email,
          password: v.password,
        },
        v.setupToken ? { "x-setup-token": v.setupToken } : {},
      );
      props.onDone(user);
    });
  };
  return (
    <AuthFrame
      title="Set up Gatehouse"
      lead="Create your organisation and its first admin. You can invite everyone else afterwards."
    >
      <form onSubmit={onSubmit} class="stack" noValidate={false}>
        <Field
          label="Organisation"
          name="organisationName"
          required
          autoComplete="organization"
          error={form.fields.organisationName}
        />
        <Field
          label="Your name"
          name="name"
          required
          autoComplete="name"
          error={form.fields.name}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          required
          autoComplete="email"
          error={form.fields.email}
        />
        <NewPasswordField label="Password" error={form.fields.password} />
        {props.tokenRequired ? (
          <Field
            label="Setup token"
            name="setupToken"
            type="password"
            required
            autoComplete="off"
            hint="The setup token npm run deploy printed (the SETUP_TOKEN secret)."
          />
        ) : null}
        <SubmitRow form={form} label="Create organisation" busyLabel="Creating…" />
      </form>
    </AuthFrame>
  );
}
