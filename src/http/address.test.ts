import { describe, expect, test } from "bun:test";
import { parseBlock, TrustedProxies } from "./address";

describe("trusted proxies", () => {
  test("addresses and CIDR blocks, IPv4 and IPv6; anything else is not a block", () => {
    for (const ok of ["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "2001:db8::/32", "0.0.0.0/0"]) expect(parseBlock(ok)).toBeDefined();
    for (const bad of ["10.0.0.0/33", "x", "10.0.0.0/8/1", "::1/129", "10.0.0.0/-1", ""]) expect(parseBlock(bad)).toBeUndefined();
  });

  test("without trusted proxies the headers are never believed", () => {
    const none = new TrustedProxies();
    expect(none.clientAddress("127.0.0.1", new Headers({ "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8" }))).toBe("127.0.0.1");
  });

  test("a trusted peer's X-Forwarded-For names the client: the nearest hop that is not a trusted proxy", () => {
    const proxies = new TrustedProxies(["127.0.0.1", "10.0.0.0/8", "::1"]);
    const xff = (v: string) => new Headers({ "x-forwarded-for": v });
    expect(proxies.clientAddress("127.0.0.1", xff("203.0.113.9"))).toBe("203.0.113.9");
    // A client that forges the header only adds hops to its left: the last untrusted hop is the real one.
    expect(proxies.clientAddress("127.0.0.1", xff("6.6.6.6, 203.0.113.9, 10.1.2.3"))).toBe("203.0.113.9");
    expect(proxies.clientAddress("::1", new Headers({ "x-real-ip": "198.51.100.4" }))).toBe("198.51.100.4");
    expect(proxies.clientAddress("::ffff:127.0.0.1", xff("198.51.100.5"))).toBe("198.51.100.5");
    // An untrusted peer's headers are not believed.
    expect(proxies.clientAddress("192.0.2.1", xff("203.0.113.9"))).toBe("192.0.2.1");
  });
});

test("config.json: trustedProxies that are not addresses or CIDR blocks are a one-line error", async () => {
  const { parseConfig, ConfigError } = await import("../config/load");
  expect(() => parseConfig({ apiKey: "k", trustedProxies: ["10.0.0.0/8", "proxy.local"] }, "config.json", "/")).toThrow(ConfigError);
  expect(() => parseConfig({ apiKey: "k", trustedProxies: ["10.0.0.0/8", "proxy.local"] }, "config.json", "/")).toThrow(
    'config.json: "trustedProxies" holds "proxy.local", which is neither an IP address nor a CIDR block such as 10.0.0.0/8',
  );
  expect(parseConfig({ apiKey: "k", trustedProxies: ["127.0.0.1", "fd00::/8"] }, "config.json", "/").config.trustedProxies).toEqual(["127.0.0.1", "fd00::/8"]);
});
