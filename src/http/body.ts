/**
 * Reading a JSON request body safely, for every area: Elysia would parse and validate a body before any guard
 * runs, so a stranger's body would be read; and its validation error stringifies the whole body (quadratic in
 * nesting depth). Areas read bodies with this instead: the key first, then size of nesting, JSON, the schema.
 */
import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { fullGC } from "bun:jsc";
import { isUtf8 } from "node:buffer";
import { attachFieldTexts, cutVerbatim, type VerbatimPaths } from "./verbatim";

/** Deeper than any real request nests; walks over the body (TypeBox's, JSON.stringify's) stay far from the stack's end. */
export const MAX_NESTING = 128;

export type BodyProblem =
  | { kind: "empty" | "nesting" | "json" }
  | { kind: "schema"; errors: unknown[] }
  | { kind: "too_large"; bytes: number; limit: number }
  | { kind: "busy" };

/** A body that cannot be read, with the one line that tells the client why. */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(readonly problem: BodyProblem) {
    super(describeProblem(problem));
  }
}

function describeProblem(problem: BodyProblem): string {
  switch (problem.kind) {
    case "empty":
      return "the request body is empty; send a JSON object";
    case "nesting":
      return `the request body nests arrays and objects deeper than ${MAX_NESTING} levels`;
    case "json":
      return "the request body is not valid JSON";
    case "schema":
      return describeValidation(problem.errors, "the request body does not match the schema");
    case "too_large":
      return `request body is ${problem.bytes > problem.limit ? `over ${problem.limit}` : problem.bytes} bytes; the limit is ${problem.limit} bytes (${problem.limit / MIB} MiB)`;
    case "busy":
      return "kiro-ts is reading as many large request bodies as its memory budget allows (maxBodyBytesInFlight); retry in a moment";
  }
}

const MIB = 1024 * 1024;

/**
 * Request-body bytes being read and parsed at once, across every route: many large bodies at a time would each
 * hold their text and their parsed tree, and take the process's memory with them.
 */
export class BodyBudget {
  private inFlight = 0;

  constructor(readonly limit: number) {}

  /** False when `bytes` more would pass the limit; a body alone may always be read. */
  reserve(bytes: number): boolean {
    if (this.inFlight > 0 && this.inFlight + bytes > this.limit) return false;
    this.inFlight += bytes;
    return true;
  }

  release(bytes: number): void {
    this.inFlight -= bytes;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }
}

/** Bodies this large count toward the next collection; small ones leave little behind. */
const LARGE_BODY_BYTES = 256 * 1024;
/** Kinds of body whose shapes a reader keeps at most (CollectionPacer.parsed). */
const SHAPES_PER_READER = 8;
/** A full collection after this many bytes of large bodies read. */
export const COLLECT_EVERY_BYTES = 64 * MIB;

/**
 * Runs a full garbage collection after every 64 MiB of large bodies read. What a large body leaves behind (its text,
 * the scan's pieces) waits for a full collection, which Bun puts off while the server is busy: what piles up meanwhile
 * is resident until then, and for good where freed memory is kept (startup.ts). In bursts of 32 1 MB requests the
 * high-water mark fell from 381 to 299 MB with memory kept; with it given back, through six kinds of load in a row,
 * from 285–410 to 204 MB. Two at a time, the collections cost ~6 % of the requests' CPU (README, Performance: the
 * twelfth and thirteenth passes). The collection is JavaScriptCore's own full one (`fullGC` of bun:jsc), not
 * `Bun.gc(true)`, which does more: a collection took 14–25 ms of CPU against 8–13, and the JIT's threads twice the
 * time afterwards (~0.10 ms a 1 MB request against ~0.05), for the same high-water mark. Every 128 MiB rather than 64
 * took 1 MB requests another ~5 % less CPU but left the bench's high-water mark higher (244–261 MB against 236–246),
 * where its gate is nearest (README, Performance: the twenty-eighth pass).
 */
export class CollectionPacer {
  private sinceLast = 0;
  private collections = 0;
  /**
   * Per reader and kind of body (its top-level keys: Claude Code's, an SDK's hello, streamed or not), the shape of
   * the first such body after the latest collection it came after, and that collection's number.
   */
  private readonly shapes = new Map<object, Map<string, { after: number; shape: unknown }>>();

  constructor(
    private readonly everyBytes = COLLECT_EVERY_BYTES,
    private readonly collect: () => void = fullGC,
  ) {}

  /** A body of `bytes` was read. */
  read(bytes: number): void {
    if (bytes < LARGE_BODY_BYTES) return;
    this.sinceLast += bytes;
    if (this.sinceLast < this.everyBytes) return;
    this.sinceLast = 0;
    this.collect();
    this.collections++;
  }

  /**
   * `reader` parsed `value`: kept as its shape (shapeOf) when it is the first of its kind since a collection. Of
   * more kinds than a reader keeps, the one kept longest ago gives way, unless all were kept since the latest one.
   */
  parsed(reader: object, value: unknown): void {
    // An array's keys are its indices: no kind to tell, and a long one would make a long name.
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    let kinds = this.shapes.get(reader);
    if (!kinds) this.shapes.set(reader, (kinds = new Map()));
    const kind = Object.keys(value).join();
    const kept = kinds.get(kind);
    if (kept?.after === this.collections) return;
    if (!kept && kinds.size >= SHAPES_PER_READER) {
      const [oldest, { after }] = [...kinds].reduce((a, b) => (b[1].after < a[1].after ? b : a));
      if (after === this.collections) return;
      kinds.delete(oldest);
    }
    kinds.set(kind, { after: this.collections, shape: shapeOf(value) });
  }

  /** The shapes kept: by reader, each in the order its kinds were first kept. */
  keptShapes(): unknown[] {
    return [...this.shapes.values()].flatMap((kinds) => [...kinds.values()].map((k) => k.shape));
  }
}

/**
 * Values a shape holds at most: a Claude Code request of a megabyte has ~3,000, a long session several times that; an
 * array of a million numbers would otherwise make a shape of a million nulls, kept for as long as its kind.
 */
const SHAPE_VALUES = 16_384;

/**
 * The same objects with the same keys in the same order, every value null but nested objects and arrays, made the way
 * JSON.parse makes objects, so that they share its hidden classes (JavaScriptCore's structures). A structure no
 * live object has dies at a full collection, and with it all optimised code that checks for it: after each of the
 * pacer's collections the conversion's code was compiled again (the JIT ~0.14 ms a 1 MB request). Kept by the pacer,
 * a body's shape keeps its structures alive without its strings or its verbatim table, which keeping the body itself
 * would hold (and, with the table, the scan's memory). Past SHAPE_VALUES values the rest is left out.
 */
export function shapeOf(value: unknown, budget = { values: SHAPE_VALUES }): unknown {
  if (--budget.values < 0 || typeof value !== "object" || value === null) return null;
  if (Array.isArray(value)) {
    const shape: unknown[] = [];
    for (let i = 0; i < value.length && budget.values > 0; i++) shape.push(shapeOf(value[i], budget));
    return shape;
  }
  const shape = Object.create(Object.prototype) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (budget.values <= 0) break;
    const inner = shapeOf((value as Record<string, unknown>)[key], budget);
    // An own "__proto__", as JSON.parse makes it, not the prototype.
    if (key === "__proto__") Object.defineProperty(shape, key, { value: inner, enumerable: true, writable: true, configurable: true });
    else shape[key] = inner;
  }
  return shape;
}

export interface BodyLimits {
  /** The largest body read (Anthropic's own limit is 32 MB). */
  maxBytes: number;
  budget: BodyBudget;
  /** The app's pacer; readers built without one (in tests) leave collections to Bun. */
  collections?: CollectionPacer;
}

/**
 * A reader for one schema: per request size → bytes → one scan (nesting; the long strings at `verbatim` cut out,
 * see verbatim.ts) → the rest's text → JSON → schema check, holding its share of the memory budget while it reads and parses.
 */
export function jsonBodyReader<T>(schema: TSchema, limits: BodyLimits, verbatim: VerbatimPaths = [], whole: readonly string[] = []) {
  // Not when the route is built: compiling every route's schema was half the CPU of building the app at start-up.
  // The first body is checked by TypeBox's interpreter (~0.5 ms for a small one) and the schema compiled at the
  // second: compiling the Messages schema is ~5 ms of CPU, which at a start's first request came before the answer,
  // and a route asked once, or an idle gateway, need not hold the compiled code.
  let checker: TypeCheck<TSchema> | undefined;
  let bodies = 0;
  const check = (value: unknown): boolean => {
    if (checker) return checker.Check(value);
    if (bodies++ === 0) return Value.Check(schema, value);
    checker = TypeCompiler.Compile(schema);
    return checker.Check(value);
  };
  const parse = (body: Uint8Array<ArrayBuffer>): T => {
    const bytes = utf8Of(body);
    if (blank(bytes)) throw new BodyError({ kind: "empty" });
    const cut = cutVerbatim(bytes, MAX_NESTING, verbatim, whole);
    if (cut.nested) throw new BodyError({ kind: "nesting" });
    let value: unknown;
    try {
      value = JSON.parse(cut.text);
    } catch {
      throw new BodyError({ kind: "json" });
    }
    if (!check(value)) throw new BodyError({ kind: "schema", errors: [Value.Errors(schema, value).First()] });
    // Only an object can carry the table; a schema that took anything else saw no placeholder either way.
    if (typeof value === "object" && value !== null) {
      if (cut.verbatim) cut.verbatim.attach(value);
      if (cut.fields) attachFieldTexts(value, cut.fields);
    }
    return value as T;
  };
  const reader = {};
  return async (request: Request): Promise<T> => {
    const declared = Number(request.headers.get("content-length") ?? NaN);
    const { maxBytes, budget, collections } = limits;
    if (declared > maxBytes) throw new BodyError({ kind: "too_large", bytes: declared, limit: maxBytes });
    // Without a declared length (chunked), the body is counted as it comes, and its share is what a body may be.
    const share = Number.isFinite(declared) ? declared : maxBytes;
    if (!budget.reserve(share)) throw new BodyError({ kind: "busy" });
    try {
      const body = Number.isFinite(declared) ? await request.bytes() : await readCounted(request, maxBytes);
      // Before this body's parse: the collection finds the bodies before it dead, and this one's text not yet made.
      collections?.read(body.length);
      const value = parse(body);
      collections?.parsed(reader, value);
      return value;
    } finally {
      budget.release(share);
    }
  };
}

/** The body's bytes, in a buffer of their own (the verbatim table frees it), refused as soon as they pass `maxBytes`. */
async function readCounted(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of request.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw new BodyError({ kind: "too_large", bytes, limit: maxBytes });
    chunks.push(chunk);
  }
  // A buffer of its own whatever Buffer pools (Node's takes small ones from a shared pool): the verbatim table frees it.
  return joinedBytes(chunks, bytes);
}

/** `length` bytes of chunks in one plain Uint8Array of its own (Buffer.concat would make a Buffer, maybe pooled). */
export function joinedBytes(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

const lenientUtf8 = new TextDecoder();
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The body as UTF-8 that reads as Request.text() reads it (a leading byte order mark dropped, a byte that is not
 * UTF-8 replaced): its own bytes without the mark when they are valid, else its text encoded again.
 */
function utf8Of(body: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const bytes = body[0] === BOM[0] && body[1] === BOM[1] && body[2] === BOM[2] ? body.subarray(3) : body;
  return isUtf8(bytes) ? bytes : new TextEncoder().encode(lenientUtf8.decode(body)) as Uint8Array<ArrayBuffer>;
}

/** Nothing but JSON's whitespace. */
function blank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

interface TypeBoxError {
  path: string;
  message: string;
  value?: unknown;
  schema?: { anyOf?: Array<{ const?: unknown }> };
  errors?: Array<{ First(): TypeBoxError | undefined }>;
}

/** One readable line from TypeBox errors (ours or Elysia's): which field, and what is wrong with it. */
export function describeValidation(all: readonly unknown[] | undefined, fallback: string): string {
  const first = all?.[0] as TypeBoxError | undefined;
  if (!first) return fallback;
  const field = first.path.replace(/^\//, "").replaceAll("/", ".") || "body";
  const choices = first.schema?.anyOf?.map((s) => s.const).filter((c) => c !== undefined) ?? [];
  let problem: string;
  if (choices.length) {
    problem = `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
  } else {
    // A union: say what each branch wanted ("expected string or expected array").
    const branches = [...new Set(first.errors?.map((it) => it.First()?.message).filter((m): m is string => !!m))];
    problem = branches.length ? branches.map(lowerFirst).join(" or ") : lowerFirst(first.message);
  }
  return first.value === undefined ? `${field}: field required` : `${field}: ${problem}`;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
