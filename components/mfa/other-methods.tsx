import { useTranslations } from "next-intl";

type Method = "passkey" | "totp" | "sms" | "backup";

type Props<M extends Method> = {
  methods: M[];
  /** The registered number's last four digits, for the text-message choice. */
  last4: string;
  heading: "h2" | "h3";
  className: string;
  /** The control that switches to `method`: a link, a form or a button, labelled `label`. */
  choice: (method: M, label: string) => React.ReactNode;
};

/** "Use another method" below a code field: one choice for each other factor, named the same on sign-in and in My account. */
export function OtherMethods<M extends Method>({ methods, last4, heading: Heading, className, choice }: Props<M>) {
  const t = useTranslations("codes.other");
  if (methods.length === 0) return null;
  return (
    <div className={className}>
      <Heading className="text-sm font-medium text-gray-900">{t("heading")}</Heading>
      <ul className="mt-2 space-y-1">
        {methods.map((m) => (
          <li key={m}>
            {choice(m, m === "sms" ? t("sms", { last4 }) : t(m as Exclude<Method, "sms">))}
          </li>
        ))}
      </ul>
    </div>
  );
}
