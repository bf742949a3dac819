/**
 * `additionalModelRequestFields` as Kiro judges it (kiro-protocol-2026.md §2): refused outright by a model whose
 * catalog entry has no schema, else checked against that schema (enums, ranges, `additionalProperties:false`,
 * required members), plus opus-5's rule that thinking may be off only at effort high or below.
 */
import type { JsonSchema, ModelFacts } from "./catalog";

export type FieldsVerdict =
  | { ok: true; fields: ModelFields | undefined }
  | { ok: false; why: "not-supported" | "invalid"; detail: string };

/** The fields as the reply needs them: is thinking asked for, is it shown, is reasoning on. */
export interface ModelFields {
  thinkingType?: string;
  display?: string;
  effort?: string;
  reasoningEffort?: string;
}

export function judgeModelFields(body: unknown, facts: ModelFacts): FieldsVerdict {
  const fields = isObject(body) ? body.additionalModelRequestFields : undefined;
  if (fields === undefined) return { ok: true, fields: undefined };
  if (!facts.schema) return { ok: false, why: "not-supported", detail: `${facts.modelId} has no additionalModelRequestFieldsSchema` };
  const problem = schemaProblem(fields, facts.schema, "additionalModelRequestFields");
  if (problem) return { ok: false, why: "invalid", detail: problem };
  const read = readFields(fields as Record<string, unknown>);
  const limit = facts.maxEffortWithoutThinking;
  if (limit && read.thinkingType === "disabled" && read.effort && rank(read.effort) > rank(limit)) {
    return { ok: false, why: "invalid", detail: `${facts.modelId} allows thinking disabled only at effort ${limit} or below` };
  }
  return { ok: true, fields: read };
}

/** The first place `value` leaves `schema`, or null when it fits. */
export function schemaProblem(value: unknown, schema: JsonSchema, where: string): string | null {
  if (schema.enum && !schema.enum.includes(value)) return `${where} ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`;
  switch (schema.type) {
    case "string":
      return typeof value === "string" ? null : `${where} is not a string`;
    case "boolean":
      return typeof value === "boolean" ? null : `${where} is not a boolean`;
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return `${where} is not a number`;
      if (schema.type === "integer" && !Number.isInteger(value)) return `${where} is not an integer`;
      if (schema.minimum !== undefined && value < schema.minimum) return `${where} ${value} is below ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `${where} ${value} is above ${schema.maximum}`;
      return null;
    }
    case "object": {
      if (!isObject(value)) return `${where} is not an object`;
      const properties = schema.properties ?? {};
      for (const name of schema.required ?? []) if (!(name in value)) return `${where}.${name} is required`;
      for (const [name, member] of Object.entries(value)) {
        const sub = properties[name];
        if (!sub) {
          if (schema.additionalProperties === false) return `${where}.${name} is not allowed`;
          continue;
        }
        const problem = schemaProblem(member, sub, `${where}.${name}`);
        if (problem) return problem;
      }
      return null;
    }
    default:
      return null;
  }
}

const EFFORT_ORDER = ["none", "low", "medium", "high", "xhigh", "max"];
const rank = (effort: string) => EFFORT_ORDER.indexOf(effort);

function readFields(fields: Record<string, unknown>): ModelFields {
  const thinking = isObject(fields.thinking) ? fields.thinking : {};
  const output = isObject(fields.output_config) ? fields.output_config : {};
  const reasoning = isObject(fields.reasoning) ? fields.reasoning : {};
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { thinkingType: str(thinking.type), display: str(thinking.display), effort: str(output.effort), reasoningEffort: str(reasoning.effort) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
