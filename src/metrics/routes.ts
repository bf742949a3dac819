/** GET /metrics: the Prometheus scrape, behind the admin key (x-api-key or Authorization: Bearer). */
import { Elysia } from "elysia";
import { renderAdminError } from "../admin/envelope";
import type { KeyGuard } from "../http/guard";
import type { Logger } from "../log";
import type { GatewayMetrics } from "./metrics";
import { CONTENT_TYPE } from "./prometheus";

export function metricsRoutes(metrics: GatewayMetrics, guard: KeyGuard, log: Logger) {
  return new Elysia({ name: "metrics" })
    .use(guard.plugin)
    .onError(renderAdminError(log))
    // Covers every route after it; a guard with a callback would make Elysia build each route twice.
    .guard({ key: "admin" })
    .get("/metrics", () => new Response(metrics.render(), { headers: { "content-type": CONTENT_TYPE } }), {
      detail: { summary: "Prometheus metrics (text exposition format)" },
    });
}
