// @ts-nocheck
// Written by scripts/build.ts while it compiles the binary, then restored to this empty table:
// without a built UI the server answers `/` with a note on how to build it.
import type { UiAssetTable } from "./ui";

export const uiAssets: UiAssetTable = {};
