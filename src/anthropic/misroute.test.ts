import { describe, expect, test } from "bun:test";
import { Logger } from "../log";
import { misroute, noRouteError } from "./misroute";

const message = (method: string, path: string) => misroute(method, `http://127.0.0.1:8990${path}`).error.message;

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

  test("an OpenAI client with a wrong base URL is told the one with /v1", () => {
    expect(message("POST", "/v1/v1/chat/completions")).toBe(
      "no route POST /v1/v1/chat/completions: the API is at /v1/chat/completions; set the OpenAI client's base URL to http://127.0.0.1:8990/v1",
    );
    expect(message("POST", "/openai/v1/responses")).toContain("set the OpenAI client's base URL to http://127.0.0.1:8990/v1");
    expect(message("POST", "/chat/completions")).toContain("the API is at /v1/chat/completions; set this client's base URL to http://127.0.0.1:8990/v1");
    expect(message("POST", "/responses")).toContain("set this client's base URL to http://127.0.0.1:8990/v1");
    expect(message("GET", "/api/v1/models")).toContain("(Anthropic clients) or http://127.0.0.1:8990/v1 (OpenAI clients)");
  });

  test("an OpenAI endpoint not served says which two are", () => {
    for (const path of ["/v1/completions", "/v1/embeddings", "/openai/v1/embeddings", "/v1/responses/compact"]) {
      expect(message("POST", path)).toContain("kiro-ts serves OpenAI's Chat Completions (POST /v1/chat/completions) and Responses (POST /v1/responses)");
    }
  });

  test("a served path with the wrong method: which method it takes", () => {
    expect(message("GET", "/v1/messages")).toBe("no route GET /v1/messages: /v1/messages takes POST");
    expect(message("DELETE", "/v1/models")).toBe("no route DELETE /v1/models: /v1/models takes GET");
    expect(message("GET", "/v1/chat/completions")).toBe("no route GET /v1/chat/completions: /v1/chat/completions takes POST");
  });

  test("a client set up wrong is told to the log as well; a stray path or a wrong method is not", () => {
    const lines: string[] = [];
    const log = new Logger("info", (line) => lines.push(line));
    noRouteError(log, "POST", "http://127.0.0.1:8990/v1/v1/messages");
    noRouteError(log, "POST", "http://127.0.0.1:8990/v1/embeddings");
    noRouteError(log, "GET", "http://127.0.0.1:8990/favicon.ico");
    noRouteError(log, "GET", "http://127.0.0.1:8990/v1/messages");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('WARN  a client is set up wrong advice="no route POST /v1/v1/messages: the API is at /v1/messages;');
    expect(lines[1]).toContain("not this endpoint");
  });

  test("anything else says where the API and the UI are", () => {
    const e = misroute("DELETE", "http://localhost:8990/v2/whatever?x=1").error;
    expect(e.kind).toBe("not_found");
    expect(e.message).toBe(
      "no route DELETE /v2/whatever; the APIs are POST /v1/messages (Anthropic), POST /v1/chat/completions and POST /v1/responses (OpenAI), the admin UI is at /",
    );
  });
});
