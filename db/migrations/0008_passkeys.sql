CREATE TABLE "passkey_sign_ins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"challenge" text NOT NULL,
	"device_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "mfa_factors_user_kind_key";--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "credential_id" text;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "public_key" text;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "sign_count" bigint;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "transports" text;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "aaguid" text;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "otp_challenges" ADD COLUMN "webauthn_challenge" text;--> statement-breakpoint
ALTER TABLE "otp_challenges" ADD COLUMN "webauthn_issued_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "passkey_sign_ins_expires_idx" ON "passkey_sign_ins" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mfa_factors_credential_id_key" ON "mfa_factors" USING btree ("credential_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mfa_factors_user_kind_key" ON "mfa_factors" USING btree ("user_id","kind") WHERE "mfa_factors"."kind" <> 'passkey';