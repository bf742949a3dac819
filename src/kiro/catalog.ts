/**
 * The models Kiro serves, as each account's ListAvailableModels says (kiro-protocol-2026.md §7: lists differ per
 * account, tier and region, so each account is routed by its own), asked soon after start-up, every hour and when
 * accounts arrive. The client's model list is the built-in one grown by every account's; an account not yet asked (or whose
 * answer failed) is routed by that list. A failed ask keeps what was known.
 */
import type { Logger } from "../log";
import { accountTable, BUILT_IN_MODELS, type KiroModel, type ModelTable, withKiroModels } from "./models";

const MODEL_LIST_REFRESH_MS = 3_600_000;
/**
 * The first ask waits this long after the server listens: asked at once, it took the core from the first requests
 * (~4 ms more CPU before a start's first answer); until it answers, every account is routed by the built-in list.
 */
const FIRST_MODEL_LIST_ASK_MS = 300;

/** Each account's answer (its models, or why it could not say), or undefined when there is no account to ask. */
export type CatalogAnswers = Map<string, KiroModel[] | Error> | undefined;

export class ModelCatalog {
  /** What clients are shown, and how an account without a catalog of its own is routed. */
  table: ModelTable = BUILT_IN_MODELS;
  private readonly perAccount = new Map<string, { table: ModelTable; models: KiroModel[] }>();
  private readonly firstSeen = new Map<string, Date>();

  constructor(
    private readonly ask: () => Promise<CatalogAnswers>,
    private readonly log: Logger,
  ) {}

  /** The table an account's requests are routed by. */
  forAccount(name: string): ModelTable {
    return this.perAccount.get(name)?.table ?? this.table;
  }

  /** Asks after FIRST_MODEL_LIST_ASK_MS, then every MODEL_LIST_REFRESH_MS; the timers hold no process open. */
  schedule(): void {
    setTimeout(() => {
      void this.refresh();
      setInterval(() => void this.refresh(), MODEL_LIST_REFRESH_MS).unref();
    }, FIRST_MODEL_LIST_ASK_MS).unref();
  }

  async refresh(): Promise<void> {
    let answers: CatalogAnswers;
    try {
      answers = await this.ask();
    } catch (e) {
      this.log.warn("could not ask Kiro for its models; the model list stays as it was", { error: (e as Error).message });
      return;
    }
    // Nobody to ask yet (an empty pool says so in its own warning): asked again once accounts arrive.
    if (answers === undefined) return;
    for (const [account, answer] of answers) {
      if (answer instanceof Error) {
        this.log.warn("could not ask Kiro for its models; the model list stays as it was", { account, error: answer.message });
        continue;
      }
      this.perAccount.set(account, { table: accountTable(answer), models: answer });
    }
    // Nothing new was learnt: the tables stay the very same.
    if ([...answers.values()].every((a) => a instanceof Error)) return;
    for (const name of [...this.perAccount.keys()]) if (!answers.has(name)) this.perAccount.delete(name);
    if (this.perAccount.size === 0) return;
    const union = new Map<string, KiroModel>();
    for (const { models } of this.perAccount.values()) for (const m of models) if (!union.has(m.modelId)) union.set(m.modelId, m);
    const now = new Date();
    for (const id of union.keys()) if (!this.firstSeen.has(id)) this.firstSeen.set(id, now);
    const known = this.table.windows;
    this.table = withKiroModels([...union.values()], (id) => this.firstSeen.get(id) ?? now);
    const added = [...union.keys()].filter((id) => !known.has(id));
    if (added.length) this.log.info("Kiro serves models the list did not have; they are served and listed now", { models: added.join(",") });
  }
}
