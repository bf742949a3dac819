import { describe, expect, test } from "bun:test";
import { endpointProblem, isAwsRegion } from "./credential";
import { UpstreamError, withRegion } from "./http";

describe("a credential's endpoints", () => {
  test("AWS region names pass; anything that could name another host does not", () => {
    for (const ok of ["us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1"]) expect(isAwsRegion(ok)).toBe(true);
    for (const bad of ["x@evil.example:8443/path?", "evil.example", "us-east-1.evil.example", "us-east-1/", "US-EAST-1", "", "us-east-1#"]) {
      expect(isAwsRegion(bad)).toBe(false);
    }
  });

  test("a region that is not one never reaches a host name: no URL, an error instead", () => {
    expect(withRegion("https://q.{region}.amazonaws.com", "eu-central-1")).toBe("https://q.eu-central-1.amazonaws.com");
    expect(() => withRegion("https://q.{region}.amazonaws.com", "x@127.0.0.1:9/steal?")).toThrow(UpstreamError);
    // A base URL without {region} takes none, so nothing is spliced.
    expect(withRegion("http://127.0.0.1:9000/", "anything")).toBe("http://127.0.0.1:9000");
  });

  test("region, authRegion, apiRegion and proxyUrl are checked; the first problem is named", () => {
    expect(endpointProblem({ region: "us-east-1", proxyUrl: "http://proxy:3128" })).toBeUndefined();
    expect(endpointProblem({ proxyUrl: "direct" })).toBeUndefined();
    expect(endpointProblem({ authRegion: "x@evil.example/" })).toBe('authRegion "x@evil.example/" is not an AWS region (such as us-east-1)');
    expect(endpointProblem({ apiRegion: 5 })).toBe("apiRegion 5 is not an AWS region (such as us-east-1)");
    expect(endpointProblem({ proxyUrl: "file:///etc/passwd" })).toContain("proxyUrl is not a proxy URL");
    expect(endpointProblem({ proxyUrl: "http://proxy:3128/capture?x=1" })).toContain("proxyUrl is not a proxy URL");
  });
});
