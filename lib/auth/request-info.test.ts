import { afterEach, describe, expect, it } from "vitest";
import { appHostFrom, appOriginFrom, clientIpFrom, parseIp, requestInfoFrom, trustedProxyHops } from "./request-info";

const savedAppUrl = process.env.APP_URL;
afterEach(() => {
  if (savedAppUrl === undefined) delete process.env.APP_URL;
  else process.env.APP_URL = savedAppUrl;
});

const h = (values: Record<string, string>) => new Headers(values);

describe("trustedProxyHops", () => {
  it("defaults to 0 self-hosted and 1 on Vercel", () => {
    expect(trustedProxyHops({})).toBe(0);
    expect(trustedProxyHops({ VERCEL: "1" })).toBe(1);
  });

  it("takes TRUSTED_PROXY_HOPS, also 0 on Vercel", () => {
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: "2" })).toBe(2);
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: "0", VERCEL: "1" })).toBe(0);
  });

  it("ignores a value that is not a small whole number", () => {
    for (const raw of ["-1", "1.5", "abc", "", "100", "1e1"]) expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: raw })).toBe(0);
  });
});

describe("clientIpFrom", () => {
  it("with no trusted proxy, a client-sent X-Forwarded-For or X-Real-IP is ignored", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.8" }), 0)).toBeNull();
  });

  it("with one proxy, a spoofed first entry is ignored: the entry our proxy appended counts", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "1.2.3.4, 203.0.113.9" }), 1)).toBe("203.0.113.9");
    expect(clientIpFrom(h({ "x-forwarded-for": "203.0.113.9" }), 1)).toBe("203.0.113.9");
  });

  it("a client changing its spoofed entries keeps the same address (no fresh per-IP budgets)", () => {
    const seen = ["10.0.0.1", "10.0.0.2, 10.0.0.3", "garbage", ""].map((forged) =>
      clientIpFrom(h({ "x-forwarded-for": `${forged}, 203.0.113.9` }), 1),
    );
    expect(new Set(seen)).toEqual(new Set(["203.0.113.9"]));
  });

  it("with two proxies, the second entry from the right is the client", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.5" }), 2)).toBe("203.0.113.9");
  });

  it("fewer entries than hops, or none, is unknown", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "203.0.113.9" }), 2)).toBeNull();
    expect(clientIpFrom(h({}), 1)).toBeNull();
  });

  it("does not fall back to X-Real-IP", () => {
    expect(clientIpFrom(h({ "x-real-ip": "203.0.113.9" }), 1)).toBeNull();
  });

  it("reads IPv6, bracketed or with a port, lower-cased; IPv4-mapped as IPv4", () => {
    expect(clientIpFrom(h({ "x-forwarded-for": "1.1.1.1, 2001:DB8::1" }), 1)).toBe("2001:db8::1");
    expect(clientIpFrom(h({ "x-forwarded-for": "[2001:db8::2]:443" }), 1)).toBe("2001:db8::2");
    expect(clientIpFrom(h({ "x-forwarded-for": "203.0.113.9:51234" }), 1)).toBe("203.0.113.9");
    expect(clientIpFrom(h({ "x-forwarded-for": "::ffff:203.0.113.9" }), 1)).toBe("203.0.113.9");
  });

  it("garbage in the trusted position is unknown, and nothing further left is tried", () => {
    for (const bad of ["not-an-ip", "999.1.1.1", "1.2.3", "<script>", "203.0.113.9;x", "x".repeat(500), "unknown"]) {
      expect(clientIpFrom(h({ "x-forwarded-for": `203.0.113.9, ${bad}` }), 1)).toBeNull();
    }
  });
});

describe("parseIp", () => {
  it("accepts addresses and refuses everything else", () => {
    expect(parseIp(" 192.0.2.1 ")).toBe("192.0.2.1");
    expect(parseIp("::1")).toBe("::1");
    expect(parseIp("[::1]")).toBe("::1");
    expect(parseIp("")).toBeNull();
    expect(parseIp("192.0.2.1:123456")).toBeNull();
    expect(parseIp("010.0.0.1")).toBeNull();
  });
});

describe("requestInfoFrom", () => {
  it("keeps the browser and cuts it at 300 characters", () => {
    const info = requestInfoFrom(h({ "user-agent": "u".repeat(400), "x-forwarded-for": "203.0.113.9" }), 1);
    expect(info).toEqual({ ip: "203.0.113.9", userAgent: "u".repeat(300) });
    expect(requestInfoFrom(h({ "x-forwarded-for": "203.0.113.9" }), 0)).toEqual({ ip: null, userAgent: null });
  });
});

describe("appHostFrom and appOriginFrom", () => {
  const forged = { host: "accounts.example.com:3000", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };

  it("ignore X-Forwarded-Host and -Proto without a trusted proxy", () => {
    delete process.env.APP_URL;
    expect(appHostFrom(h(forged), 0)).toBe("accounts.example.com");
    expect(appOriginFrom(h(forged), 0)).toBe("http://accounts.example.com:3000");
  });

  it("use the values the trusted proxy wrote (the last ones)", () => {
    delete process.env.APP_URL;
    const headers = h({ host: "10.0.0.5:3000", "x-forwarded-host": "evil.example, accounts.example.com", "x-forwarded-proto": "http, https" });
    expect(appHostFrom(headers, 1)).toBe("accounts.example.com");
    expect(appOriginFrom(headers, 1)).toBe("https://accounts.example.com");
  });

  it("refuse a malformed host", () => {
    delete process.env.APP_URL;
    expect(appHostFrom(h({ host: "evil.example #123456" }), 0)).toBe("localhost");
    expect(appHostFrom(h({ host: "ok.example", "x-forwarded-host": "a b" }), 1)).toBe("ok.example");
    expect(appHostFrom(h({ host: "[::1]:3000" }), 0)).toBe("[::1]");
  });

  it("APP_URL wins over every header", () => {
    process.env.APP_URL = "https://app.example.com";
    expect(appHostFrom(h(forged), 1)).toBe("app.example.com");
    expect(appOriginFrom(h(forged), 1)).toBe("https://app.example.com");
  });
});
