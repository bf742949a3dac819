import { describe, expect, test } from "bun:test";
import { noRouteError } from "./misroute";

const message = (method: string, path: string) => noRouteError(method, `http://127.0.0.1:8990${path}`).message;

describe("noRouteError", () => {
  test("a base URL with a path of its own: drop the path", () => {
    expect(message("POST", "/v1/v1/messages")).toBe(
      "no route POST /v1/v1/messages: the API is at /v1/messages; set the client's base URL to http://127.0.0.1:8990 (no /v1 or other path)",
    );
    expect(message("POST", "/api/v1/messages/count_tokens")).toContain("the API is at /v1/messages/count_tokens;");
    expect(message("GET", "/anthropic/v1/models")).toContain("the API is at /v1/models;");
  });

  test("a client that appends /messages itself: the base URL wants /v1", () => {
    expect(message("POST", "/messages")).toBe(
      "no route POST /messages: the API is at /v1/messages; set this client's base URL to http://127.0.0.1:8990/v1",
    );
    expect(message("GET", "/models")).toContain("set this client's base URL to http://127.0.0.1:8990/v1");
  });

  test("an OpenAI client is told this is the Anthropic API", () => {
    for (const path of ["/v1/chat/completions", "/chat/completions", "/v1/responses", "/openai/v1/embeddings"]) {
      expect(message("POST", path)).toContain("kiro-ts serves the Anthropic Messages API (POST /v1/messages), not OpenAI's");
    }
  });

  test("a served path with the wrong method: which method it takes", () => {
    expect(message("GET", "/v1/messages")).toBe("no route GET /v1/messages: /v1/messages takes POST");
    expect(message("DELETE", "/v1/models")).toBe("no route DELETE /v1/models: /v1/models takes GET");
  });

  test("anything else says where the API and the UI are", () => {
    const e = noRouteError("DELETE", "http://localhost:8990/v2/whatever?x=1");
    expect(e.kind).toBe("not_found");
    expect(e.message).toBe("no route DELETE /v2/whatever; the Anthropic API is POST /v1/messages, the admin UI is at /");
  });
});
