/**
 * One client request as Kiro will receive it, per account: each account is routed by its own catalog
 * (kiro-protocol-2026.md §7), so the model that serves — and with it the native fields, the replayed reasoning and
 * the cache points — may differ between the accounts a request is tried on. Converted once per model served; the
 * conversationId stays one for the whole request (and, with a session, for the whole conversation, §9).
 */
import { verbatimOf } from "../http/verbatim";
import type { ChatRequest } from "../kiro/chat";
import { resolveModel, type ModelTable } from "../kiro/models";
import { conversationJson, type ConvertedRequest, convertRequest, type ConvertOptions, withoutReasoning } from "./convert";
import type { MessagesRequest } from "./schemas";

export interface Planned {
  converted: ConvertedRequest;
  chat: ChatRequest;
}

export class KiroPlan {
  private readonly byModel = new Map<string, Planned>();

  constructor(
    private readonly body: MessagesRequest,
    private readonly opts: Omit<ConvertOptions, "models">,
  ) {}

  /** The request routed by `table` (an account's catalog), converted once per model served. */
  for(table: ModelTable): Planned {
    const { kiroId } = resolveModel(this.body.model, table, { oneM: this.opts.oneM });
    const known = this.byModel.get(kiroId);
    if (known) return known;
    const converted = convertRequest(this.body, { ...this.opts, models: table });
    const stripped = withoutReasoning(converted.conversationState);
    const planned: Planned = {
      converted,
      chat: {
        model: converted.kiroModelId,
        conversation: conversationJson(converted.conversationState, verbatimOf(this.body)),
        ...(stripped ? { withoutReasoning: conversationJson(stripped, verbatimOf(this.body)) } : {}),
        ...(converted.fields ? { fields: JSON.stringify(converted.fields) } : {}),
      },
    };
    this.byModel.set(kiroId, planned);
    return planned;
  }
}
