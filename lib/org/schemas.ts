import { z } from "zod";
import { inLanguage, say } from "@/lib/i18n/context";
import { signUpSchema } from "@/lib/auth/schemas";

export const ROLES = ["admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** Invitation tokens are randomToken(32): 43 base64url characters. Anything else is refused before hashing. */
export const INVITATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const role = z.enum(ROLES, inLanguage("validation.chooseARoleAdminOr"));

const email = z
  .string(inLanguage("validation.enterAnEmailAddress"))
  .trim()
  .min(1, inLanguage("validation.enterAnEmailAddress"))
  .max(254, inLanguage("validation.useAnEmailAddressOf"))
  .pipe(z.email(inLanguage("validation.enterAValidEmailAddress")))
  .transform((v) => v.toLowerCase());

export const organisationNameSchema = z.object({
  name: z
    .string(inLanguage("validation.enterTheOrganisationSName"))
    .trim()
    .min(1, inLanguage("validation.enterTheOrganisationSName"))
    .max(100, inLanguage("validation.useAtMost100Characters"))
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), inLanguage("validation.useANameWithoutLine")),
});

export const invitationSchema = z.object({ email, role });
export type InvitationInput = z.infer<typeof invitationSchema>;

/** Member and invitation ids: a malformed id is answered like an unknown one. */
export const memberIdSchema = z.object({ userId: z.uuid() });
export const roleChangeSchema = z.object({ userId: z.uuid(), role });
export const invitationIdSchema = z.object({ invitationId: z.uuid() });

const DAY_MS = 86_400_000;
/** A real calendar day (YYYY-MM-DD): "2026-02-30" is refused, not rolled over. */
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/**
 * The requirement switch and its "when": now (the default), in 7, 14 or 30 days, or from a date (UTC). The
 * date must be after today and within a year; the domain turns the choice into a deadline (deadlineFor).
 */
export const mfaRequirementSchema = z
  .object({
    required: z.enum(["on", "off"], inLanguage("validation.chooseOnOrOff")).transform((v) => v === "on"),
    when: z.preprocess((v) => (v === undefined || v === "" ? "now" : v), z.enum(["now", "7", "14", "30", "date"], inLanguage("validation.chooseWhenTheRequirementStarts"))),
    date: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string().max(20).optional()),
  })
  .transform((value, ctx) => {
    if (!value.required || value.when === "now") return { required: value.required, when: { when: "now" as const } };
    if (value.when !== "date") return { required: true, when: { when: "days" as const, days: Number(value.when) } };
    const date = value.date ?? "";
    if (!isDay(date)) {
      ctx.addIssue({ code: "custom", path: ["date"], message: date ? say("validation.enterADateLike2026") : say("validation.chooseTheDateTheRequirement") });
      return z.NEVER;
    }
    const today = new Date().toISOString().slice(0, 10);
    if (date <= today) {
      ctx.addIssue({ code: "custom", path: ["date"], message: say("validation.chooseADateAfterToday") });
      return z.NEVER;
    }
    if (new Date(`${date}T00:00:00Z`).getTime() - Date.now() > 365 * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["date"], message: say("validation.chooseADateWithinA") });
      return z.NEVER;
    }
    return { required: true, when: { when: "date" as const, date } };
  });

/** "Remind" for one member; "Remind all" sends no member. A malformed id is answered like an unknown one. */
export const remindSchema = z.object({ userId: z.preprocess((v) => (v === "" ? undefined : v), z.uuid().optional()) });

/** The admin's reset, with how the member proves it is them when they enrol again (lib/mfa/reenrol.ts). */
export const resetMfaSchema = z.object({
  userId: z.uuid(),
  proof: z.preprocess((v) => (v === undefined || v === "" ? "email" : v), z.enum(["email", "access_code"], inLanguage("validation.chooseHowTheyConfirmIt"))),
});

/** Joining sets name and password by the same rules as sign-up. */
export const acceptInvitationSchema = z.object({
  token: z.string().regex(INVITATION_TOKEN_PATTERN),
  name: signUpSchema.shape.name,
  password: signUpSchema.shape.password,
});
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

/** "Let members skip MFA on trusted browsers for": the form's value as days (lib/auth/trusted-browsers.ts). */
export const trustedBrowserDaysSchema = z.object({
  days: z.enum(["0", "1", "7", "30"], inLanguage("validation.chooseHowLongMembersMay")).transform(Number),
});

export const mfaMethodsSchema = z.object({
  methods: z.enum(["any", "totp_only", "passkey_only"], inLanguage("validation.chooseWhichMethodsMembersMay")),
});
