import { Action, EmailLayout, InlineLink, Paragraph } from "./layout";
import type { PropsOf, TemplateDef } from "./types";

function SignUpAttempt({ app, name, signInLink, resetLink }: PropsOf<"sign_up_attempt">) {
  return (
    <EmailLayout app={app} preview="Someone tried to create an account with this address, which already has one." heading="You already have an account" reason={`You received this email because someone tried to sign up for ${app} with this address.`}>
      <Paragraph>Hi {name},</Paragraph>
      <Paragraph>Someone just tried to create a {app} account with this email address. This address already has an account, so no new account was made and nothing changed.</Paragraph>
      <Paragraph>If that was you, sign in with your existing account:</Paragraph>
      <Action href={signInLink}>Sign in</Action>
      <Paragraph>
        Forgot your password? <InlineLink href={resetLink}>Reset your password</InlineLink>. If it was not you, you can ignore this email.
      </Paragraph>
    </EmailLayout>
  );
}

export const signUpAttempt: TemplateDef<"sign_up_attempt"> = {
  subject: ({ app }) => `Sign-up attempt with your ${app} address`,
  Email: SignUpAttempt,
};
