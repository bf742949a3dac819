import { createStore, produce } from "solid-js/store";
import type { CheckAccountResponse } from "../api/types";
import { readLocal, writeLocal } from "./local";

/** The seed UI's cache of quota checks: `kiro-check-results` = {results: {name: CheckAccountResponse}, lastUpdated: ms}. */
export const CHECK_RESULTS_KEY = "kiro-check-results";

export interface StoredCheckResults {
  results: Record<string, CheckAccountResponse>;
  lastUpdated: number;
}

export function parseCheckResults(raw: string | null): StoredCheckResults {
  try {
    const parsed = JSON.parse(raw ?? "null") as Partial<StoredCheckResults> | null;
    if (parsed && typeof parsed.results === "object" && parsed.results !== null && !Array.isArray(parsed.results)) {
      return { results: parsed.results, lastUpdated: typeof parsed.lastUpdated === "number" ? parsed.lastUpdated : 0 };
    }
  } catch {
    // Unreadable: start over.
  }
  return { results: {}, lastUpdated: 0 };
}

export function createCheckResultsStore() {
  const [checks, setChecks] = createStore<StoredCheckResults>(parseCheckResults(readLocal(CHECK_RESULTS_KEY)));
  // A batch of a thousand checks records one result at a time: write once it settles, not a thousand times.
  let pendingSave: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    pendingSave ??= setTimeout(() => {
      pendingSave = undefined;
      writeLocal(CHECK_RESULTS_KEY, JSON.stringify(checks));
    }, 300);
  };
  return {
    checks,
    record(results: readonly CheckAccountResponse[], now = Date.now()) {
      setChecks(
        produce((draft) => {
          for (const result of results) draft.results[result.name] = result;
          draft.lastUpdated = now;
        }),
      );
      save();
    },
    forget(name: string) {
      setChecks(produce((draft) => void delete draft.results[name]));
      save();
    },
  };
}

export type CheckResultsStore = ReturnType<typeof createCheckResultsStore>;
