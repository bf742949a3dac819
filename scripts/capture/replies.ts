/**
 * The capture server's scripted answers, in the three wire formats clients speak: Anthropic Messages, OpenAI
 * Responses and OpenAI Chat Completions, each as one JSON body or as SSE. A client only needs an answer good enough
 * to take its next step (run the tool, send the result, print the text); the answers are never the subject.
 */

/** What the server answers to one request. */
export type Scripted =
  | { kind: "text"; text: string; thinking?: string }
  | { kind: "tool_use"; id: string; name: string; input: Record<string, unknown>; thinking?: string };

const sse = (events: { event?: string; data: unknown }[], done = false) =>
  new Response(
    events.map((e) => `${e.event ? `event: ${e.event}\n` : ""}data: ${JSON.stringify(e.data)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : ""),
    { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
  );

/* ---- Anthropic Messages ---- */

function anthropicBlocks(s: Scripted): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (s.thinking !== undefined) blocks.push({ type: "thinking", thinking: s.thinking, signature: "capture-signature" });
  if (s.kind === "text") blocks.push({ type: "text", text: s.text });
  else blocks.push({ type: "tool_use", id: s.id, name: s.name, input: s.input });
  return blocks;
}

export function anthropicAnswer(s: Scripted, model: string, stream: boolean): Response {
  const stopReason = s.kind === "tool_use" ? "tool_use" : "end_turn";
  const message = {
    id: "msg_capture0000000000000001",
    type: "message",
    role: "assistant",
    model,
    content: anthropicBlocks(s),
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
  if (!stream) return Response.json(message);
  const events: { event: string; data: unknown }[] = [];
  const push = (data: Record<string, unknown>) => events.push({ event: String(data.type), data });
  push({ type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } });
  message.content.forEach((block, index) => {
    if (block.type === "thinking") {
      push({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } });
      push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: block.thinking } });
      push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } });
    } else if (block.type === "text") {
      push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
      push({ type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } });
    } else {
      push({ type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    push({ type: "content_block_stop", index });
  });
  push({ type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 20 } });
  push({ type: "message_stop" });
  return sse(events);
}

/* ---- OpenAI Responses ---- */

export function responsesAnswer(s: Scripted, model: string, stream: boolean): Response {
  const item =
    s.kind === "text"
      ? { type: "message", id: "msg_capture1", role: "assistant", status: "completed", content: [{ type: "output_text", text: s.text, annotations: [] }] }
      : { type: "function_call", id: "fc_capture1", call_id: s.id, name: s.name, arguments: JSON.stringify(s.input), status: "completed" };
  const response = {
    id: "resp_capture1",
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "completed",
    model,
    output: [item],
    usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 120 },
  };
  if (!stream) return Response.json(response);
  let sequence = 0;
  const event = (data: Record<string, unknown>) => ({ event: String(data.type), data: { ...data, sequence_number: sequence++ } });
  const events = [event({ type: "response.created", response: { ...response, status: "in_progress", output: [] } })];
  if (item.type === "message") {
    events.push(event({ type: "response.output_item.added", output_index: 0, item: { ...item, status: "in_progress", content: [] } }));
    events.push(event({ type: "response.content_part.added", item_id: item.id, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }));
    events.push(event({ type: "response.output_text.delta", item_id: item.id, output_index: 0, content_index: 0, delta: (s as { text: string }).text }));
    events.push(event({ type: "response.output_text.done", item_id: item.id, output_index: 0, content_index: 0, text: (s as { text: string }).text }));
    events.push(event({ type: "response.content_part.done", item_id: item.id, output_index: 0, content_index: 0, part: item.content![0] }));
  } else {
    events.push(event({ type: "response.output_item.added", output_index: 0, item: { ...item, arguments: "", status: "in_progress" } }));
    events.push(event({ type: "response.function_call_arguments.delta", item_id: item.id, output_index: 0, delta: item.arguments }));
    events.push(event({ type: "response.function_call_arguments.done", item_id: item.id, output_index: 0, arguments: item.arguments }));
  }
  events.push(event({ type: "response.output_item.done", output_index: 0, item }));
  events.push(event({ type: "response.completed", response }));
  return sse(events);
}

/* ---- OpenAI Chat Completions ---- */

export function chatAnswer(s: Scripted, model: string, stream: boolean): Response {
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = s.kind === "tool_use" ? [{ id: s.id, type: "function", function: { name: s.name, arguments: JSON.stringify(s.input) } }] : undefined;
  const finish = s.kind === "tool_use" ? "tool_calls" : "stop";
  const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
  if (!stream) {
    return Response.json({
      id: "chatcmpl-capture1",
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: s.kind === "text" ? s.text : null, tool_calls: toolCalls, refusal: null }, finish_reason: finish, logprobs: null }],
      usage,
    });
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    data: { id: "chatcmpl-capture1", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] },
  });
  const events = [chunk({ role: "assistant", content: "" }, null)];
  if (s.kind === "text") events.push(chunk({ content: s.text }, null));
  else events.push(chunk({ tool_calls: toolCalls!.map((c, index) => ({ index, ...c })) }, null));
  events.push(chunk({}, finish));
  events.push({ data: { id: "chatcmpl-capture1", object: "chat.completion.chunk", created, model, choices: [], usage } as never });
  return sse(events, true);
}
