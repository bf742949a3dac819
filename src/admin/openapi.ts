/**
 * The OpenAPI document at /swagger/json, generated from the routes' schemas by @elysiajs/swagger. The plugin (and the
 * theme and schema libraries it brings along) is loaded at the first ask for the document, not at start-up, where it
 * cost time and memory that no other request needs.
 */
import { Elysia } from "elysia";
import { OPENAPI_SPEC_PATH } from "./ui";

type Documentation = NonNullable<NonNullable<Parameters<typeof import("@elysiajs/swagger").swagger>[0]>["documentation"]>;

/** How the plugin reads the app it documents (protected in Elysia's types, public at run time). */
interface RouteSource {
  getGlobalRoutes(): unknown;
  getGlobalDefinitions(): unknown;
}

export function openApiDocument(documentation: Documentation) {
  const plugin = new Elysia({ name: "openapi-document" });
  let generate: Promise<() => unknown> | undefined;
  const load = async () => {
    const { swagger } = await import("@elysiajs/swagger");
    const generator = swagger({ path: OPENAPI_SPEC_PATH, specPath: OPENAPI_SPEC_PATH, documentation });
    // Not mounted itself: it documents the app this plugin is mounted on, whose routes Elysia gives this one.
    const source = plugin as unknown as RouteSource;
    Object.assign(generator, { getGlobalRoutes: () => source.getGlobalRoutes(), getGlobalDefinitions: () => source.getGlobalDefinitions() });
    const route = generator.router.history.find((r) => r.path === OPENAPI_SPEC_PATH && typeof r.handler === "function");
    if (!route) throw new Error("@elysiajs/swagger registered no handler for the OpenAPI document");
    return route.handler as () => unknown;
  };
  return plugin.get(OPENAPI_SPEC_PATH, async () => (await (generate ??= load()))(), { detail: { hide: true } });
}
