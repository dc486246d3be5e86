import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import { currentLocale, say as sayInLanguage } from "@/lib/i18n/context";

/**
 * The product's look in email: the app's grey page, white card, blue primary button (Tailwind's gray-50,
 * gray-200, blue-600), as inline styles because mail clients drop style sheets. No images at all, so nothing
 * is fetched from a server when the email is opened.
 */
const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const COLOURS = { page: "#f9fafb", card: "#ffffff", border: "#e5e7eb", text: "#374151", strong: "#111827", muted: "#6b7280", brand: "#2563eb", warn: "#b45309" };

const styles = {
  body: { backgroundColor: COLOURS.page, fontFamily: FONT, margin: 0, padding: "32px 12px" },
  container: { maxWidth: "560px", margin: "0 auto" },
  brand: { margin: "0 0 16px", fontSize: "15px", lineHeight: "24px", fontWeight: 600, color: COLOURS.strong },
  mark: { display: "inline-block", width: "24px", height: "24px", borderRadius: "6px", backgroundColor: COLOURS.brand, color: "#ffffff", textAlign: "center" as const, fontSize: "14px", lineHeight: "24px", marginRight: "8px", verticalAlign: "middle" },
  card: { backgroundColor: COLOURS.card, border: `1px solid ${COLOURS.border}`, borderRadius: "12px", padding: "32px" },
  heading: { margin: "0 0 16px", fontSize: "22px", lineHeight: "30px", fontWeight: 600, color: COLOURS.strong },
  text: { margin: "0 0 16px", fontSize: "15px", lineHeight: "24px", color: COLOURS.text },
  button: { backgroundColor: COLOURS.brand, color: "#ffffff", borderRadius: "8px", padding: "12px 20px", fontSize: "15px", fontWeight: 600, textDecoration: "none" },
  fallback: { margin: "16px 0 0", fontSize: "13px", lineHeight: "20px", color: COLOURS.muted },
  fallbackLink: { color: COLOURS.brand, wordBreak: "break-all" as const },
  facts: { backgroundColor: COLOURS.page, border: `1px solid ${COLOURS.border}`, borderRadius: "8px", padding: "12px 16px", margin: "0 0 16px" },
  fact: { margin: "4px 0", fontSize: "14px", lineHeight: "22px", color: COLOURS.text },
  factLabel: { color: COLOURS.muted },
  code: { margin: "0 0 16px", padding: "16px", backgroundColor: COLOURS.page, border: `1px solid ${COLOURS.border}`, borderRadius: "8px", textAlign: "center" as const, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: "32px", lineHeight: "40px", letterSpacing: "8px", fontWeight: 600, color: COLOURS.strong },
  hr: { borderColor: COLOURS.border, margin: "24px 0 16px" },
  footer: { margin: "0 0 8px", fontSize: "12px", lineHeight: "18px", color: COLOURS.muted },
};

export interface LayoutProps {
  app: string;
  /** The line mail clients show beside the subject. */
  preview: string;
  heading: string;
  /** Why this person got this email, for the footer. */
  reason: string;
  children: ReactNode;
}

/**
 * The layout's own words, in the recipient's language: renderMessage renders inside withLocale (lib/i18n/context.ts),
 * since emails are rendered outside any request and a React context is not available to server modules here.
 */
function useLayoutWords() {
  return { locale: currentLocale(), say: (key: "automated" | "fallback", values?: Record<string, string>) => sayInLanguage(`emails.layout.${key}`, values) };
}

export function EmailLayout({ app, preview, heading, reason, children }: LayoutProps) {
  const { locale, say } = useLayoutWords();
  return (
    <Html lang={locale} dir="ltr">
      <Head>
        <meta name="color-scheme" content="light" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Text style={styles.brand}>
            <span style={styles.mark} data-skip-in-text="true">
              {app.slice(0, 1).toUpperCase()}
            </span>
            {app}
          </Text>
          <Section style={styles.card}>
            <Heading as="h1" style={styles.heading}>
              {heading}
            </Heading>
            {children}
            <Hr style={styles.hr} />
            <Text style={styles.footer}>{reason}</Text>
            <Text style={styles.footer}>{say("automated", { app })}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={styles.text}>{children}</Text>;
}

/** The one thing to do, as a button, with the link written out below it for clients that hide buttons. */
export function Action({ href, children }: { href: string; children: ReactNode }) {
  const { say } = useLayoutWords();
  return (
    <Section style={{ margin: "8px 0 24px" }}>
      <Button href={href} style={styles.button}>
        {children}
      </Button>
      <Text style={styles.fallback} data-skip-in-text="true">
        {say("fallback")}{" "}
        <Link href={href} style={styles.fallbackLink}>
          {href}
        </Link>
      </Text>
    </Section>
  );
}

/** A plain link inside a sentence. */
export function InlineLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} style={{ color: COLOURS.brand }}>
      {children}
    </Link>
  );
}

/** Label-value lines in a grey box: when, from which browser, from which address. */
export function Facts({ rows }: { rows: [label: string, value: string][] }) {
  return (
    <Section style={styles.facts}>
      {rows.map(([label, value]) => (
        <Text key={label} style={styles.fact}>
          <span style={styles.factLabel}>{label}:</span> {value}
        </Text>
      ))}
    </Section>
  );
}

/** A one-time code, large and spaced so it reads (and copies) easily. */
export function Code({ code }: { code: string }) {
  return <Text style={styles.code}>{code}</Text>;
}
