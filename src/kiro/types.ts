/**
 * Kiro's wire types: the generateAssistantResponse request body (kiro-protocol.md §3.1) and the
 * events decoded from its event-stream reply (§4.3). Nothing here knows about Anthropic.
 */

export type KiroImageFormat = "png" | "jpeg" | "gif" | "webp";

export interface KiroImage {
  format: KiroImageFormat;
  source: { bytes: string };
}

export interface KiroToolSpecification {
  toolSpecification: {
    name: string;
    description: string;
    inputSchema: { json: Record<string, unknown> };
  };
}

/** A cache checkpoint (kiro-protocol-2026.md §4.3): in the tools array, or on a message. */
export interface KiroCachePoint {
  cachePoint: { type: "default" };
}

export interface KiroToolResult {
  toolUseId: string;
  content: Array<{ text: string }>;
  status: "success" | "error";
  isError?: true;
}

export interface KiroToolUse {
  toolUseId: string;
  name: string;
  input: unknown;
}

export interface KiroUserInputMessage {
  content: string;
  modelId: string;
  origin: "AI_EDITOR";
  images?: KiroImage[];
  cachePoint?: { type: "default" };
  userInputMessageContext?: {
    tools?: Array<KiroToolSpecification | KiroCachePoint>;
    toolResults?: KiroToolResult[];
  };
}

/** Reasoning replayed in the history (kiro-protocol-2026.md §3.2): signed text, or GPT's redacted blob. */
export type KiroReasoningContent = { reasoningText: { text: string; signature: string } } | { redactedContent: string };

export interface KiroAssistantResponseMessage {
  content: string;
  toolUses?: KiroToolUse[];
  reasoningContent?: KiroReasoningContent;
  cachePoint?: { type: "default" };
}

export type KiroHistoryMessage =
  | { userInputMessage: KiroUserInputMessage }
  | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroConversationState {
  agentContinuationId: string;
  agentTaskType: "vibe";
  chatTriggerType: "MANUAL";
  conversationId: string;
  currentMessage: { userInputMessage: KiroUserInputMessage };
  history?: KiroHistoryMessage[];
}

/** The body POSTed to generateAssistantResponse. profileArn is the credential's own, added per attempt. */
export interface KiroRequest {
  conversationState: KiroConversationState;
  profileArn?: string;
}

/** Kiro stream events after frame decoding (§4.3), reduced to what a gateway acts on. */
export type KiroEvent =
  | { type: "text"; content: string }
  | { type: "toolUse"; toolUseId: string; name: string; input: string; stop: boolean }
  | { type: "reasoning"; text: string; signature?: string; redactedContent?: string }
  | { type: "contextUsage"; percentage: number }
  | { type: "metering"; usage: number; unit?: string }
  | {
      type: "metadata";
      stopReason?: string;
      tokenUsage?: {
        uncachedInputTokens?: number;
        outputTokens?: number;
        totalTokens?: number;
        cacheReadInputTokens?: number;
        cacheWriteInputTokens?: number;
      };
    }
  /** A `:message-type: exception` frame, e.g. ContentLengthExceededException, ThrottlingException. */
  | { type: "exception"; exceptionType: string; message: string; reason?: string }
  /** A `:message-type: error` frame. */
  | { type: "error"; code: string; message: string };
