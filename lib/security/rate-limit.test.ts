import { describe, expect, it } from "vitest";
import { ipBucket } from "./rate-limit";

describe("ipBucket (what per-IP limits count)", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(ipBucket("198.51.100.7")).toBe("198.51.100.7");
  });

  it("counts an IPv6 address by its /64 network, however it is written", () => {
    const net = "2001:db8:7:1::/64";
    expect(ipBucket("2001:db8:7:1::1")).toBe(net);
    expect(ipBucket("2001:db8:7:1:ffff:ffff:ffff:fffe")).toBe(net);
    expect(ipBucket("2001:0db8:0007:0001:0000:0000:0000:0001")).toBe(net);
    expect(ipBucket("2001:db8:7:2::1")).not.toBe(net);
  });

  it("expands :: wherever it stands", () => {
    expect(ipBucket("::1")).toBe("0:0:0:0::/64");
    expect(ipBucket("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(ipBucket("fe80::1:2:3:4")).toBe("fe80:0:0:0::/64");
    expect(ipBucket("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });
});
