"use client";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { type CreateOrganisationState, createOrganisationAction } from "../actions";

export function CreateOrganisationForm() {
  const [state, action] = useActionState(createOrganisationAction, { status: "idle" } as CreateOrganisationState);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  // Controlled, so what was typed stays in the field when the server refuses it.
  const [name, setName] = useState("");
  return (
    <form action={action} className="space-y-4" noValidate>
      <div>
        <h3 className="text-sm font-semibold text-gray-900">Start your own organisation</h3>
        <p className="mt-1 text-sm text-gray-600">You become its admin and can invite others.</p>
      </div>
      {state.status === "error" && state.message && <Alert tone="error">{state.message}</Alert>}
      <Field
        label="Organisation name"
        name="name"
        autoComplete="organization"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.name}
      />
      <SubmitButton pendingLabel="Creating…">Create organisation</SubmitButton>
    </form>
  );
}
