import { describe, expect, test } from "bun:test";
import { emptyForm, formProblem, formToRequest, requestToForm } from "./account-form";
import { parseCredentialsJson } from "./credentials-json";

describe("formToRequest", () => {
  test("a refresh-token account sends what was filled in, trimmed, and leaves out empty fields", () => {
    const form = { ...emptyForm(), name: " alice ", refreshToken: " rt ", provider: "Google", region: "eu-west-1", kiroApiKey: "ksk_left_over" };
    expect(formToRequest(form)).toEqual({ name: "alice", refreshToken: "rt", authMethod: "social", addToPool: true, provider: "Google", region: "eu-west-1" });
  });

  test("an API-key account sends only its name, key, method and pool choice, whatever the hidden fields hold", () => {
    const form = { ...emptyForm(), name: "work", authMethod: "api_key" as const, kiroApiKey: " ksk_abc \n", refreshToken: "rt", provider: "Google", region: "eu-west-1", clientId: "c", clientSecret: "s", profileArn: "arn", accessToken: "at", expiresAt: "2030-01-01T00:00:00Z", addToPool: false };
    expect(formToRequest(form)).toEqual({ name: "work", kiroApiKey: "ksk_abc", authMethod: "api_key", addToPool: false });
  });
});

describe("formProblem", () => {
  test("an API-key account needs its key, and nothing a refresh-token account needs", () => {
    const apiKey = { ...emptyForm(), name: "work", authMethod: "api_key" as const };
    expect(formProblem(apiKey)).toBe("API key is required.");
    expect(formProblem({ ...apiKey, kiroApiKey: "   " })).toBe("API key is required.");
    expect(formProblem({ ...apiKey, kiroApiKey: "ksk_abc" })).toBeNull();
    expect(formProblem({ ...apiKey, name: "", kiroApiKey: "ksk_abc" })).toBe("Name is required.");
  });

  test("the other methods still need a refresh token, and IdC its client", () => {
    expect(formProblem({ ...emptyForm(), name: "a", kiroApiKey: "ksk_abc" })).toBe("Refresh token is required.");
    expect(formProblem({ ...emptyForm(), name: "a", refreshToken: "rt", authMethod: "IdC" })).toBe("IdC accounts need a client id and secret.");
    expect(formProblem({ ...emptyForm(), name: "a", refreshToken: "rt" })).toBeNull();
  });
});

test("a pasted API-key credential, edited in the form and named, is sent as the API expects", () => {
  const parsed = parseCredentialsJson('{"kiroApiKey":"ksk_abc","authMethod":"api_key"}');
  const request = parsed.ok ? parsed.accounts[0] : undefined;
  if (!request) throw new Error("the credential was not read");
  const form = { ...requestToForm(request), name: "work" };
  expect(form.authMethod).toBe("api_key");
  expect(formProblem(form)).toBeNull();
  expect(formToRequest(form)).toEqual({ name: "work", kiroApiKey: "ksk_abc", authMethod: "api_key", addToPool: true });
});
