import { z } from "zod";
import { signUpSchema } from "@/lib/auth/schemas";

export const ROLES = ["admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** Invitation tokens are randomToken(32): 43 base64url characters. Anything else is refused before hashing. */
export const INVITATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const role = z.enum(ROLES, { error: "Choose a role: Admin or Member." });

const email = z
  .string({ error: "Enter an email address." })
  .trim()
  .min(1, "Enter an email address.")
  .max(254, "Use an email address of at most 254 characters.")
  .pipe(z.email("Enter a valid email address, like name@company.com."))
  .transform((v) => v.toLowerCase());

export const organisationNameSchema = z.object({
  name: z
    .string({ error: "Enter the organisation's name." })
    .trim()
    .min(1, "Enter the organisation's name.")
    .max(100, "Use at most 100 characters.")
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: "Use a name without line breaks or control characters." }),
});

export const invitationSchema = z.object({ email, role });
export type InvitationInput = z.infer<typeof invitationSchema>;

/** Member and invitation ids: a malformed id is answered like an unknown one. */
export const memberIdSchema = z.object({ userId: z.uuid() });
export const roleChangeSchema = z.object({ userId: z.uuid(), role });
export const invitationIdSchema = z.object({ invitationId: z.uuid() });

export const mfaRequirementSchema = z.object({
  required: z.enum(["on", "off"], { error: "Choose on or off." }).transform((v) => v === "on"),
});

/** Joining sets name and password by the same rules as sign-up. */
export const acceptInvitationSchema = z.object({
  token: z.string().regex(INVITATION_TOKEN_PATTERN),
  name: signUpSchema.shape.name,
  password: signUpSchema.shape.password,
});
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

export const mfaMethodsSchema = z.object({
  methods: z.enum(["any", "totp_only"], { error: "Choose which methods members may use." }),
});
