/**
 * The model table in use: the built-in one until Kiro has been asked what it serves, then that grown by Kiro's
 * answer. Asked at start and every hour; an answer that does not come leaves the table as it was.
 */
import type { Logger } from "../log";
import { BUILT_IN_MODELS, type KiroModel, type ModelTable, withKiroModels } from "./models";

export const MODEL_LIST_REFRESH_MS = 3_600_000;

export class ModelCatalog {
  table: ModelTable = BUILT_IN_MODELS;
  private readonly firstSeen = new Map<string, Date>();

  constructor(
    /** Kiro's answer, or undefined when there is no account to ask with. */
    private readonly list: () => Promise<KiroModel[] | undefined>,
    private readonly log: Logger,
  ) {}

  async refresh(): Promise<void> {
    let models: KiroModel[] | undefined;
    try {
      models = await this.list();
    } catch (e) {
      this.log.warn("could not ask Kiro for its models; the model list stays as it was", { error: (e as Error).message });
      return;
    }
    // Nobody to ask yet (an empty pool says so in its own warning): asked again once accounts arrive.
    if (models === undefined) return;
    const now = new Date();
    for (const m of models) if (!this.firstSeen.has(m.modelId)) this.firstSeen.set(m.modelId, now);
    const known = this.table.windows;
    this.table = withKiroModels(models, (id) => this.firstSeen.get(id) ?? now);
    const added = models.map((m) => m.modelId).filter((id) => !known.has(id));
    if (added.length) this.log.info("Kiro serves models the list did not have; they are served and listed now", { models: added.join(",") });
  }
}
