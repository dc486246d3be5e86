CREATE TABLE "mfa_reminders" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mfa_reminders_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
DROP INDEX "audit_events_org_idx";--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "mfa_enforced_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "mfa_reenrol_proof" text;--> statement-breakpoint
ALTER TABLE "mfa_reminders" ADD CONSTRAINT "mfa_reminders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mfa_reminders" ADD CONSTRAINT "mfa_reminders_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mfa_reminders_day_idx" ON "mfa_reminders" USING btree ("day");--> statement-breakpoint
CREATE INDEX "audit_events_org_created_idx" ON "audit_events" USING btree ("organisation_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_created_idx" ON "audit_events" USING btree ("created_at");