import { A } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, type JSX, Show } from "solid-js";
import { ErrorLine } from "../components/common";
import { LanguageToggle, ThemeToggle } from "../components/Layout";
import { type Body, constraintsOf, fieldsOf, groupOperations, listOperations, matchesQuery, type OpenApiDocument, type Operation, resolve, type Schema, typeLabel } from "../lib/openapi";
import { formatNumber } from "../lib/format";
import { OPENAPI_SPEC_URL, ROUTES } from "../routes";
import { lang, t } from "../state/i18n";

/** Deep enough for every schema the server has (the Messages request is five levels); a `$ref` cycle stops here. */
const MAX_DEPTH = 8;

const METHOD_STYLE: Record<string, string> = {
  GET: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
  POST: "bg-sky-100 text-sky-800 dark:bg-sky-500/15 dark:text-sky-300",
  PUT: "bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300",
  PATCH: "bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300",
  DELETE: "bg-red-100 text-red-800 dark:bg-red-500/15 dark:text-red-300",
};
const OTHER_METHOD = "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300";

const statusStyle = (status: string) =>
  status.startsWith("2")
    ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300"
    : status.startsWith("4")
      ? "bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300"
      : status.startsWith("5")
        ? "bg-red-100 text-red-800 dark:bg-red-500/15 dark:text-red-300"
        : OTHER_METHOD;

/** The document needs no key, so the page works signed out and never sends the stored admin key. */
async function fetchSpec(): Promise<OpenApiDocument> {
  const response = await fetch(OPENAPI_SPEC_URL, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

function Section(props: { title: string; children: JSX.Element }) {
  return (
    <section>
      <h3 class="muted mb-1 text-xs font-semibold uppercase tracking-wide">{props.title}</h3>
      {props.children}
    </section>
  );
}

/** `name` is a field's, or with `variant` a union member's label (not a field, so set apart). */
function TypeLine(props: { doc: OpenApiDocument; schema: Schema; name?: string; variant?: boolean; required?: boolean }) {
  const resolved = () => resolve(props.doc, props.schema);
  return (
    <>
      <div class="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm">
        <Show when={props.name}>
          <Show when={!props.variant} fallback={<span class="muted text-xs italic">{props.name}</span>}>
            <code class="font-medium" data-testid="schema-field">
              {props.name}
            </code>
          </Show>
        </Show>
        <code class="text-xs text-violet-700 dark:text-violet-300">{typeLabel(props.doc, props.schema)}</code>
        <Show when={props.required}>
          <span class="text-xs font-medium text-red-600 dark:text-red-400">{t("apiRequired")}</span>
        </Show>
        <For each={constraintsOf(resolved())}>{(c) => <span class="chip bg-slate-100 font-mono text-slate-600 dark:bg-slate-800 dark:text-slate-300">{c}</span>}</For>
      </div>
      <Show when={resolved().description}>
        <p class="muted text-xs">{resolved().description}</p>
      </Show>
    </>
  );
}

/** A schema's fields, each with its own fields under it. */
function SchemaFields(props: { doc: OpenApiDocument; schema: Schema; depth: number }) {
  const fields = () => fieldsOf(props.doc, props.schema);
  return (
    <Show when={fields().length > 0 && props.depth < MAX_DEPTH}>
      <ul class="mt-1 space-y-1.5 border-l border-slate-200 pl-3 dark:border-slate-700">
        <For each={fields()}>
          {(field, index) => (
            <li>
              <TypeLine
                doc={props.doc}
                schema={field.schema}
                name={field.name ?? t("apiVariant", { n: index() + 1 })}
                variant={field.name === undefined}
                required={field.required}
              />
              <SchemaFields doc={props.doc} schema={field.schema} depth={props.depth + 1} />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

function BodyView(props: { doc: OpenApiDocument; body: Body }) {
  return (
    <div class="space-y-1">
      <Show when={props.body.description}>
        <p class="text-sm">{props.body.description}</p>
      </Show>
      <Show when={props.body.contentTypes.length > 0}>
        <p class="muted text-xs">{t("apiContentTypes", { types: props.body.contentTypes.join(", ") })}</p>
      </Show>
      <Show when={props.body.schema}>
        {(schema) => (
          <>
            <TypeLine doc={props.doc} schema={schema()} required={props.body.required} />
            <SchemaFields doc={props.doc} schema={schema()} depth={0} />
          </>
        )}
      </Show>
    </div>
  );
}

function OperationDetails(props: { doc: OpenApiDocument; op: Operation }) {
  return (
    <div class="space-y-4 border-t border-slate-200 px-4 py-3 dark:border-slate-800">
      <Show when={props.op.description}>
        <p class="text-sm">{props.op.description}</p>
      </Show>
      <Show when={props.op.parameters.length > 0}>
        <Section title={t("apiParameters")}>
          <ul class="space-y-1.5">
            <For each={props.op.parameters}>
              {(p) => (
                <li>
                  <div class="flex items-baseline gap-2">
                    <span class="chip bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300">{p.in}</span>
                    <div class="min-w-0 flex-1">
                      <TypeLine doc={props.doc} schema={p.schema ?? {}} name={p.name} required={p.required} />
                      <Show when={p.description}>
                        <p class="muted text-xs">{p.description}</p>
                      </Show>
                    </div>
                  </div>
                </li>
              )}
            </For>
          </ul>
        </Section>
      </Show>
      <Show when={props.op.requestBody}>
        {(body) => (
          <Section title={t("apiRequestBody")}>
            <BodyView doc={props.doc} body={body()} />
          </Section>
        )}
      </Show>
      <Section title={t("apiResponses")}>
        <ul class="space-y-3">
          <For each={props.op.responses}>
            {(response) => (
              <li data-testid="api-response" data-status={response.status}>
                <div class="flex items-baseline gap-2">
                  <span class={`chip font-mono ${statusStyle(response.status)}`}>{response.status}</span>
                  <Show when={response.description}>
                    <span class="text-sm">{response.description}</span>
                  </Show>
                </div>
                <Show when={response.body}>
                  {(body) => (
                    <div class="mt-1 pl-2">
                      <BodyView doc={props.doc} body={body()} />
                    </div>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Section>
    </div>
  );
}

/** One operation, folded; its details are only built once opened (the Messages request alone has ~200 fields). */
function OperationCard(props: { doc: OpenApiDocument; op: Operation }) {
  const [open, setOpen] = createSignal(false);
  return (
    <details
      class="card p-0"
      data-testid="api-operation"
      data-method={props.op.method}
      data-path={props.op.path}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary class="flex cursor-pointer flex-wrap items-center gap-3 px-4 py-2.5 hover:bg-slate-50 dark:hover:bg-slate-800/40">
        <span class={`chip w-16 justify-center font-mono ${METHOD_STYLE[props.op.method] ?? OTHER_METHOD}`}>{props.op.method}</span>
        <code class="text-sm font-medium">{props.op.path}</code>
        <Show when={props.op.summary}>
          <span class="muted min-w-0 flex-1 truncate text-sm" title={props.op.summary}>
            {props.op.summary}
          </span>
        </Show>
      </summary>
      <Show when={open()}>
        <OperationDetails doc={props.doc} op={props.op} />
      </Show>
    </details>
  );
}

/** The server's OpenAPI document, read by the app itself: nothing loads from elsewhere, no key is needed. */
export function ApiReferencePage() {
  const [spec, { refetch }] = createResource(fetchSpec);
  // Reading a resource that failed throws; the error line shows instead.
  const loaded = () => (spec.state === "ready" ? spec() : undefined);
  const [query, setQuery] = createSignal("");
  const operations = createMemo(() => {
    const doc = loaded();
    return doc ? listOperations(doc) : [];
  });
  const groups = createMemo(() => groupOperations(operations().filter((op) => matchesQuery(op, query()))));
  const shown = () => groups().reduce((sum, g) => sum + g.operations.length, 0);

  return (
    <div class="flex min-h-screen flex-col">
      <header class="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div class="mx-auto flex max-w-[1100px] flex-wrap items-center gap-2 px-4 py-2">
          <span class="mr-4 flex items-center gap-2 font-semibold">
            <span class="inline-block h-6 w-6 rounded-md bg-violet-600 text-center text-sm leading-6 text-white">K</span>
            {t("navApiReference")}
          </span>
          <div class="ml-auto flex items-center gap-2">
            <A href={ROUTES.dashboard} class="btn">
              {t("apiAdminUi")}
            </A>
            <LanguageToggle />
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main class="mx-auto w-full max-w-[1100px] flex-1 space-y-4 px-4 py-4" data-testid="api-reference">
        <Show when={spec.error}>
          <ErrorLine error={spec.error instanceof Error ? spec.error.message : String(spec.error)} retry={() => void refetch()} />
        </Show>
        <Show when={loaded()} fallback={<Show when={!spec.error}><p class="muted">{t("loading")}</p></Show>}>
          {(doc) => (
            <>
              <div>
                <h1 class="flex items-baseline gap-2 text-lg font-semibold">
                  {doc().info?.title ?? ""}
                  <Show when={doc().info?.version}>
                    <span class="muted text-sm font-normal">{doc().info?.version}</span>
                  </Show>
                </h1>
                <Show when={doc().info?.description}>
                  <p class="text-sm">{doc().info?.description}</p>
                </Show>
                <p class="muted mt-1 text-sm">
                  {t("apiIntro")}{" "}
                  <a href={OPENAPI_SPEC_URL} class="font-mono text-violet-600 hover:underline dark:text-violet-400">
                    {OPENAPI_SPEC_URL}
                  </a>
                </p>
              </div>
              <div class="flex flex-wrap items-center gap-3">
                <input
                  type="search"
                  class="input w-80"
                  placeholder={t("apiFilter")}
                  aria-label={t("apiFilter")}
                  value={query()}
                  onInput={(e) => setQuery(e.currentTarget.value)}
                />
                <span class="muted text-sm tabular-nums" data-testid="api-count">
                  {t("apiShown", { shown: formatNumber(shown(), lang()), total: formatNumber(operations().length, lang()) })}
                </span>
              </div>
              <Show when={shown() > 0} fallback={<p class="muted text-sm">{t("apiNoMatch")}</p>}>
                <For each={groups()}>
                  {(group) => (
                    <section class="space-y-2">
                      <h2 class="text-sm font-semibold">{group.name === "" ? t("apiOther") : <code>{group.name}</code>}</h2>
                      <For each={group.operations}>{(op) => <OperationCard doc={doc()} op={op} />}</For>
                    </section>
                  )}
                </For>
              </Show>
            </>
          )}
        </Show>
      </main>
    </div>
  );
}
