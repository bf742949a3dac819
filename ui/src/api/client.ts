import { readNdjson } from "../lib/ndjson";
import type {
  AccountCredentialsExport,
  AccountInfo,
  AddAccountRequest,
  BatchCheckResult,
  CheckAccountResponse,
  ImportSsoRequest,
  ImportSsoResult,
  PoolStatus,
  ServerConfig,
} from "./types";
import type { KeyInfo, KeyUpdateRequest, MadeKey, NewKeyRequest, RequestFilter, RequestPage, UsageQuery, UsageReport } from "./records-types";

/** The server refused the admin key (HTTP 401). */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** The server answered `{"success":false,"error":…}` or something that is not the admin envelope. */
export class AdminApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminApiError";
  }
}

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export type BatchProgress = (done: number, total: number, result: CheckAccountResponse) => void;

interface Envelope {
  success: boolean;
  data?: unknown;
  error?: string;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === "object" && value !== null && typeof (value as Envelope).success === "boolean";
}

/** Talks to `/admin/*` with the admin key on every call and unwraps the `{success, data, error}` envelope. */
export class AdminClient {
  constructor(
    private readonly adminKey: string,
    private readonly fetcher: Fetcher = (input, init) => fetch(input, init),
  ) {}

  private async send(method: "GET" | "POST", path: string, body?: unknown, accept = "application/json"): Promise<Response> {
    const headers: Record<string, string> = { "x-api-key": this.adminKey, accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.fetcher(`/admin${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) throw new UnauthorizedError(await errorText(response));
    return response;
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    return unwrap<T>(await this.send(method, path, body));
  }

  poolStatus(): Promise<PoolStatus> {
    return this.call("GET", "/pool/status");
  }

  accounts(): Promise<AccountInfo[]> {
    return this.call("GET", "/accounts");
  }

  config(): Promise<ServerConfig> {
    return this.call("GET", "/config");
  }

  addAccount(request: AddAccountRequest): Promise<AccountInfo> {
    return this.call("POST", "/accounts", request);
  }

  removeAccount(name: string, deleteFile: boolean): Promise<null> {
    return this.call("POST", "/accounts/remove", { name, delete_file: deleteFile });
  }

  refreshAccount(name: string): Promise<{ success: boolean; message: string }> {
    return this.call("POST", "/accounts/refresh", { name });
  }

  resetAccount(name: string): Promise<null> {
    return this.call("POST", "/accounts/reset", { name });
  }

  checkAccount(name: string): Promise<CheckAccountResponse> {
    return this.call("POST", "/accounts/check", { name });
  }

  importSso(request: ImportSsoRequest): Promise<ImportSsoResult> {
    return this.call("POST", "/accounts/import-sso", request);
  }

  /** The only call that returns secrets: used for a "full" export. */
  credentials(names?: string[]): Promise<AccountCredentialsExport[]> {
    return this.call("POST", "/accounts/credentials", names === undefined ? {} : { names });
  }

  keys(): Promise<KeyInfo[]> {
    return this.call("GET", "/keys");
  }

  /** The answer holds the key itself: the only time it is shown. */
  createKey(request: NewKeyRequest): Promise<MadeKey> {
    return this.call("POST", "/keys", request);
  }

  updateKey(request: KeyUpdateRequest): Promise<KeyInfo> {
    return this.call("POST", "/keys/update", request);
  }

  deleteKey(id: string): Promise<null> {
    return this.call("POST", "/keys/delete", { id });
  }

  usage(query: UsageQuery): Promise<UsageReport> {
    return this.call("GET", `/usage?${new URLSearchParams({ ...query })}`);
  }

  requests(filter: RequestFilter): Promise<RequestPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) if (value !== undefined && value !== "") params.set(name, String(value));
    return this.call("GET", `/requests?${params}`);
  }

  /**
   * Checks many accounts; the server streams one NDJSON line per finished account, which drives `onProgress`.
   * A server that answers with the plain envelope instead still works: progress then arrives all at once.
   */
  async batchCheck(names: string[], onProgress: BatchProgress): Promise<BatchCheckResult> {
    const response = await this.send("POST", "/accounts/batch-check", { names }, "application/x-ndjson");
    const type = response.headers.get("content-type") ?? "";
    if (!type.includes("ndjson") || response.body === null) {
      const result = await unwrap<BatchCheckResult>(response);
      result.results.forEach((r, i) => onProgress(i + 1, result.results.length, r));
      return result;
    }
    for await (const line of readNdjson(response.body)) {
      const event = line as { type?: string; done?: number; total?: number; result?: CheckAccountResponse };
      if (event.type === "progress" && event.result) onProgress(event.done ?? 0, event.total ?? names.length, event.result);
      else if (event.type === "done") return line as BatchCheckResult & { type: "done" };
      else if (isEnvelope(line) && !line.success) throw new AdminApiError(line.error ?? "batch check failed");
      else if (event.type === "error") throw new AdminApiError(String((line as { error?: unknown }).error ?? "batch check failed"));
    }
    throw new AdminApiError("batch check ended before it finished");
  }
}

async function errorText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (isEnvelope(parsed) && parsed.error) return parsed.error;
  } catch {
    // Not JSON: the plain text is the message.
  }
  return text.trim() || `HTTP ${response.status}`;
}

async function unwrap<T>(response: Response): Promise<T> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdminApiError(`HTTP ${response.status}: ${text.slice(0, 200) || "empty answer"}`);
  }
  if (!isEnvelope(parsed)) throw new AdminApiError(`HTTP ${response.status}: not an admin API answer`);
  if (!parsed.success) throw new AdminApiError(parsed.error ?? `HTTP ${response.status}`);
  return parsed.data as T;
}
