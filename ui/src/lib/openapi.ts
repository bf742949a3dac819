/**
 * Reads the server's OpenAPI 3.0 document (/swagger/json) into what the API reference page shows: operations with
 * their parameters, request body and responses, and schemas as trees of named fields with a short type each.
 * Only the parts of OpenAPI that @elysiajs/swagger writes from TypeBox schemas are read; `$ref`s to
 * `#/components/schemas` are followed so a schema moved there still shows.
 */

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

interface RawMedia {
  schema?: Schema;
}

interface RawOperation {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, RawMedia> };
  responses?: Record<string, { description?: string; content?: Record<string, RawMedia> }>;
}

export interface OpenApiDocument {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** A request or response body: every media type it is offered in, and one schema (JSON's when offered). */
export interface Body {
  contentTypes: string[];
  schema?: Schema;
  required: boolean;
  description?: string;
}

export interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema?: Schema;
}

export interface ResponseEntry {
  status: string;
  description?: string;
  body?: Body;
}

export interface Operation {
  /** Upper case: GET, POST… */
  method: string;
  path: string;
  /** Where the page files it: the first tag, or the path's first segment. */
  group: string;
  summary?: string;
  description?: string;
  operationId?: string;
  parameters: Parameter[];
  requestBody?: Body;
  responses: ResponseEntry[];
}

const METHODS = ["get", "head", "post", "put", "patch", "delete", "options", "trace"] as const;

function bodyOf(content: Record<string, RawMedia> | undefined, required: boolean, description?: string): Body | undefined {
  if (!content || Object.keys(content).length === 0) return description ? { contentTypes: [], required, description } : undefined;
  const contentTypes = Object.keys(content);
  const preferred = content["application/json"] ?? content[contentTypes[0] ?? ""];
  return { contentTypes, schema: preferred?.schema, required, description };
}

const groupOf = (path: string, tags: string[] | undefined) => tags?.[0] ?? `/${path.split("/")[1] ?? ""}`;

/** The document's operations in its own order (paths as listed, methods in HTTP's usual order). */
export function listOperations(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        group: groupOf(path, raw.tags),
        summary: raw.summary,
        description: raw.description,
        operationId: raw.operationId,
        parameters: (raw.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: p.required === true, description: p.description, schema: p.schema })),
        requestBody: raw.requestBody ? bodyOf(raw.requestBody.content, raw.requestBody.required === true, raw.requestBody.description) : undefined,
        responses: Object.entries(raw.responses ?? {}).map(([status, r]) => ({ status, description: r.description, body: bodyOf(r.content, false) })),
      });
    }
  }
  return operations;
}

/** Groups in order of first appearance; operations alone in their group end in one last group named "" (Other). */
export function groupOperations(operations: readonly Operation[]): { name: string; operations: Operation[] }[] {
  const sizes = new Map<string, number>();
  for (const op of operations) sizes.set(op.group, (sizes.get(op.group) ?? 0) + 1);
  const groups = new Map<string, Operation[]>();
  for (const op of operations) {
    const name = (sizes.get(op.group) ?? 0) > 1 ? op.group : "";
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name)?.push(op);
  }
  const ordered = [...groups].sort(([a], [b]) => Number(a === "") - Number(b === ""));
  return ordered.map(([name, ops]) => ({ name, operations: ops }));
}

/** Case-insensitive, on the method, path, summary and operation id; every word must match. */
export function matchesQuery(op: Operation, query: string): boolean {
  const haystack = [op.method, op.path, op.summary ?? "", op.operationId ?? ""].join(" ").toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

const REF_PREFIX = "#/components/schemas/";

/** The schema a `$ref` names; the schema itself otherwise, or when the name is unknown. */
export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref?.startsWith(REF_PREFIX)) return schema;
  return doc.components?.schemas?.[schema.$ref.slice(REF_PREFIX.length)] ?? schema;
}

const variantsOf = (schema: Schema) => schema.anyOf ?? schema.oneOf;
const isNull = (schema: Schema) => schema.type === "null";

/** One line for a schema's type: `string`, `integer`, `string[]`, `"user" | "assistant"`, `object | null`, `Account`. */
export function typeLabel(doc: OpenApiDocument, schema: Schema): string {
  if (schema.$ref) {
    const name = schema.$ref.slice(schema.$ref.lastIndexOf("/") + 1);
    return name || typeLabel(doc, resolve(doc, schema));
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = variantsOf(schema);
  if (variants) return [...new Set(variants.map((v) => typeLabel(doc, v)))].join(" | ");
  if (schema.allOf) return schema.allOf.map((v) => typeLabel(doc, v)).join(" & ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const labels = types.map((type) => {
    if (type !== "array") return type;
    const item = schema.items ? typeLabel(doc, schema.items) : "any";
    return item.includes(" ") ? `(${item})[]` : `${item}[]`;
  });
  if (labels.length === 0) labels.push(schema.properties ? "object" : "any");
  if (schema.nullable) labels.push("null");
  return labels.join(" | ");
}

/** The schema's constraints in JSON Schema's own terms: `≥ 1`, `length ≥ 1`, `date-time`, `default 5`. */
export function constraintsOf(schema: Schema): string[] {
  const out: string[] = [];
  if (schema.format) out.push(schema.format);
  // TypeBox writes JSON Schema's numeric exclusive bounds; OpenAPI 3.0's boolean form is read too.
  if (typeof schema.exclusiveMinimum === "number") out.push(`> ${schema.exclusiveMinimum}`);
  else if (schema.minimum !== undefined) out.push(`${schema.exclusiveMinimum ? ">" : "≥"} ${schema.minimum}`);
  if (typeof schema.exclusiveMaximum === "number") out.push(`< ${schema.exclusiveMaximum}`);
  else if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) out.push(`${schema.exclusiveMaximum ? "<" : "≤"} ${schema.maximum}`);
  if (schema.minLength !== undefined) out.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined) out.push(`items ≥ ${schema.minItems}`);
  if (schema.maxItems !== undefined) out.push(`items ≤ ${schema.maxItems}`);
  if (schema.pattern !== undefined) out.push(`/${schema.pattern}/`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}

export interface Field {
  /** A property's name; for a union's variants, none (the page numbers them). */
  name?: string;
  schema: Schema;
  required: boolean;
}

/**
 * What shows under a schema: an object's properties, an array's item's, the non-null side of `T | null`, or
 * each variant of a wider union that has fields of its own. Scalars have none.
 */
export function fieldsOf(doc: OpenApiDocument, raw: Schema): Field[] {
  const schema = resolve(doc, raw);
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties).map(([name, child]) => ({ name, schema: child, required: required.has(name) }));
  }
  if (schema.items) return fieldsOf(doc, schema.items);
  if (schema.allOf) return schema.allOf.flatMap((part) => fieldsOf(doc, part));
  const variants = variantsOf(schema)?.filter((v) => !isNull(v));
  if (!variants) return [];
  if (variants.length === 1 && variants[0]) return fieldsOf(doc, variants[0]);
  if (!variants.some((v) => fieldsOf(doc, v).length > 0)) return [];
  return variants.map((v) => ({ schema: v, required: false }));
}
