import { Card, CardHeader } from "@/components/ui/card";
import { getT } from "@/lib/auth/locale";
import { CreateOrganisationForm } from "./create-organisation-form";

/**
 * The home page of an account that belongs to no organisation (an admin removed it): nothing of an
 * organisation is reachable, and the two ways forward are a new invitation or an organisation of their own.
 */
export async function NoOrganisation({ email }: { email: string }) {
  const t = await getT("noOrganisation");
  return (
    <Card>
      <CardHeader
        title={t("title")}
        description={t("description")}
      />
      <div className="grid gap-6 px-5 py-5 sm:grid-cols-2 sm:px-6">
        <div>
          <h3 className="text-sm font-semibold text-gray-900">{t("rejoin")}</h3>
          <p className="mt-1 text-sm text-gray-600">{t("ask", { email })}</p>
        </div>
        <CreateOrganisationForm />
      </div>
    </Card>
  );
}
