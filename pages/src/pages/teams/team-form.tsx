// Create a team, or rename it and change its description.
import type { TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions } from "../../ui/modal";
import { Notice } from "../../ui/states";

export function TeamForm(props: {
  team: TeamView | null;
  onCancel: () => void;
  onSaved: (team: TeamView) => void;
}) {
  const form = useFormState();
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    const body = { name: v.name ?? "", description: v.description?.trim() || null };
    void form.submit(async () => {
      const saved = props.team
        ? await api.patch<TeamView>(`/teams/${props.team.id}`, body)
        : await api.post<TeamView>("/teams", body);
      props.onSaved(saved);
    });
  };
  return (
    <form onSubmit={onSubmit}>
      <Field
        label="Name"
        name="name"
        required
        maxLength={100}
        autoComplete="off"
        defaultValue={props.team?.name ?? ""}
        hint="For example Engineering or Support. Names are unique, ignoring case."
        error={form.fields.name}
      />
      <Field label="Description" name="description" error={form.fields.description}>
        <textarea
          id="field-description"
          name="description"
          maxLength={500}
          defaultValue={props.team?.description ?? ""}
          aria-invalid={form.fields.description ? true : undefined}
        />
      </Field>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel={props.team ? "Save team" : "Create team"}
        onCancel={props.onCancel}
      />
    </form>
  );
}
