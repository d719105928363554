/**
 * The store contract: behaviour every Store implementation must have, written once against the
 * interface and run for SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set). The
 * cases live in store/, one file per aggregate; they share one store, in this order.
 */
import { after, before } from "node:test";
import type { Store } from "../../src/store/store.ts";
import { describeWith } from "../support/suites.ts";
import { agentInteractionsContract } from "./store/agent-interactions.ts";
import { agentPresenceContract } from "./store/agent-presence.ts";
import { agentStatisticsContract } from "./store/agent-statistics.ts";
import { chatContract } from "./store/chat.ts";
import { clientMessagesContract } from "./store/client-messages.ts";
import { customersContract } from "./store/customers.ts";
import { historyContract } from "./store/history.ts";
import { metadataContract } from "./store/metadata.ts";
import { servicesContract } from "./store/services.ts";
import { stepsContract } from "./store/steps.ts";
import { transactionsContract } from "./store/transactions.ts";
import { usersContract } from "./store/users.ts";

/** Registers the contract suite for one implementation; `open` gives a fresh, empty store. */
export function storeContract(name: string, open: () => Promise<Store>, skip: string | false = false): void {
  describeWith(`store contract: ${name}`, skip, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store?.close());
    const current = () => store;
    servicesContract(current);
    stepsContract(current);
    transactionsContract(current);
    customersContract(current);
    usersContract(current);
    agentInteractionsContract(current);
    agentPresenceContract(current);
    agentStatisticsContract(current);
    metadataContract(current);
    chatContract(current);
    clientMessagesContract(current);
    historyContract(current);
  });
}
