// @ts-nocheck
// Written by scripts/build.ts while it compiles the binary, then restored to this empty table. `bun run demo`
// from a checkout loads it as the table of ui/dist instead (scripts/ui-assets-checkout.ts); otherwise the server
// answers `/` with a note on how to get the UI.
import type { UiAssetTable } from "./ui";

export const uiAssets: UiAssetTable = {};
