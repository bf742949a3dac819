/**
 * Which of Kiro's hosts and encodings a call used (kiro-protocol-2026.md §1.1–1.2, §1.6), on the simulator's one
 * base URL. The encoding shows in the request itself: the legacy REST form names its operation in the path
 * (`POST …/generateAssistantResponse`), the awsJson form posts to `/` with `x-amz-target`. The host shows only
 * when a test puts it in the path prefix — `/runtime/…`, `/management/…`, `/q/…`, `/codewhisperer/…`, or a whole
 * host name such as `/runtime.us-east-1.kiro.dev/` — and without one a call is served as any host would.
 * Also the per-form outages: runtime and q.* are separate throttle pools (§1.7).
 */

export type Form = "rest" | "awsJson";
export type HostFamily = "runtime" | "management" | "q" | "codewhisperer";

/** The awsJson targets Kiro serves, by operation (§1.2, §1.6). */
export const TARGETS = {
  generateAssistantResponse: ["KiroRuntimeService.GenerateAssistantResponse", "AmazonCodeWhispererStreamingService.GenerateAssistantResponse"],
  invokeMcp: ["KiroRuntimeService.InvokeMCP", "AmazonCodeWhispererStreamingService.InvokeMCP"],
  listAvailableModels: ["AmazonCodeWhispererService.ListAvailableModels", "KiroControlPlaneBearerService.ListAvailableModels"],
  listAvailableProfiles: ["AmazonCodeWhispererService.ListAvailableProfiles"],
  getUsageLimits: ["AmazonCodeWhispererService.GetUsageLimits"],
} as const;

export type Operation = keyof typeof TARGETS;

export const AWS_JSON = "application/x-amz-json-1.0";

/** Which operations each host serves (§1.1, §1.6); the runtime answers ListAvailableModels with UnknownOperation. */
const SERVED: Record<HostFamily, readonly Operation[]> = {
  runtime: ["generateAssistantResponse", "invokeMcp"],
  management: ["listAvailableModels", "listAvailableProfiles", "getUsageLimits"],
  q: ["generateAssistantResponse", "invokeMcp", "listAvailableModels", "listAvailableProfiles", "getUsageLimits"],
  codewhisperer: ["generateAssistantResponse", "listAvailableModels", "listAvailableProfiles", "getUsageLimits"],
};

export function operationOf(target: string): Operation | undefined {
  return (Object.keys(TARGETS) as Operation[]).find((op) => (TARGETS[op] as readonly string[]).includes(target));
}

/** The host a path prefix names, if it names one. */
export function hostOf(path: string): HostFamily | undefined {
  for (const segment of path.split("/")) {
    const name = segment.split(".")[0];
    if (name === "runtime" || name === "management" || name === "q" || name === "codewhisperer") return name;
  }
  return undefined;
}

export function hostServes(host: HostFamily | undefined, op: Operation): boolean {
  return host === undefined || SERVED[host].includes(op);
}

export interface FormBlock {
  /** The status the form answers instead of serving: 429 (its throttle pool is empty), 403 or 404. */
  status: 429 | 403 | 404;
  /** Only this account's calls (default: every account's). */
  account?: string;
  /** How many calls are answered so before the form serves again (default: until unblocked). */
  times?: number;
  /** Retry-After on a 429, in seconds. */
  retryAfterSecs?: number;
}

/** The forms currently out of order, each block used up call by call. */
export class FormBlocks {
  private readonly blocks = new Map<Form, FormBlock[]>();

  block(form: Form, block: FormBlock): void {
    this.blocks.set(form, [...(this.blocks.get(form) ?? []), { ...block }]);
  }

  unblock(form: Form): void {
    this.blocks.delete(form);
  }

  /** The block that answers this call, used once; undefined when the form serves it. */
  take(form: Form, account: string | undefined): FormBlock | undefined {
    const list = this.blocks.get(form) ?? [];
    const block = list.find((b) => b.account === undefined || b.account === account);
    if (!block) return undefined;
    if (block.times !== undefined && --block.times <= 0) this.blocks.set(form, list.filter((b) => b !== block));
    return block;
  }
}
