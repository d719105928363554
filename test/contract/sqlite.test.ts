import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./store.contract.ts";

storeContract("sqlite (file)", () => openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "parley-contract-")), "c.db"), synchronous: "normal" }));
storeContract("sqlite (memory)", () => openSqliteStore({ path: ":memory:", synchronous: "normal" }));
