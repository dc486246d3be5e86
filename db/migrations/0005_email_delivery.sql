ALTER TABLE "email_outbox" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "body_html" text;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "body_text" text;