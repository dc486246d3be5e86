import { Card, CardHeader } from "@/components/ui/card";
import { CreateOrganisationForm } from "./create-organisation-form";

/**
 * The home page of an account that belongs to no organisation (an admin removed it): nothing of an
 * organisation is reachable, and the two ways forward are a new invitation or an organisation of their own.
 */
export function NoOrganisation({ email }: { email: string }) {
  return (
    <Card>
      <CardHeader
        title="You are no longer part of an organisation"
        description="Your account and its sign-in methods are still here, but you no longer have access to an organisation or its data."
      />
      <div className="grid gap-6 px-5 py-5 sm:grid-cols-2 sm:px-6">
        <div>
          <h3 className="text-sm font-semibold text-gray-900">Rejoin your team</h3>
          <p className="mt-1 text-sm text-gray-600">
            Ask an admin of the organisation to invite {email} again. The link in the invitation lets you join with this account, signed
            in or not.
          </p>
        </div>
        <CreateOrganisationForm />
      </div>
    </Card>
  );
}
