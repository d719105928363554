/**
 * How much the database may grow while the abuse shapes run, from the server's own settings:
 * what one client address may create in that time (services and chats by their rates and open
 * counts, each at most its caps, with the copies the server keeps of it), times the attacking
 * addresses, with room for SQLite's pages and write-ahead log. Where a limit is off, there is no
 * bound, and the lines say so.
 */
import type { Config } from "../src/config.ts";

export interface Bound {
  /** Bytes the attackers may add; Infinity when a limit is off. */
  bytes: number;
  lines: string[];
}

/** A stored value may be JSON of the client's text: `\u0001` is 6 bytes for 1 the caps count. */
const JSON_WORST = 6;
/**
 * The transcript cap counts entries as the history's XML keeps them (escaped), so each of the
 * three copies (entries, plain text, XML) is at most the cap; the markup is in ENTRY_BYTES.
 */
const COPIES = 3;
/** A UTF-16 character is at most 3 bytes of UTF-8 (a pair, 4 for 2). */
const UTF8_WORST = 3;
/** Rows, keys and indexes of one service or chat, beyond the client's data (a generous guess). */
const ROW_BYTES = 2048;
/** One transcript entry's row and index, its history line and its XML element, beyond its text. */
const ENTRY_BYTES = 300;
/** SQLite's pages are not full: room for free space in B-tree pages and the indexes. */
const PAGE_FACTOR = 1.5;
/** The write-ahead log grows to its checkpoint (1000 pages of 4 KiB by default) plus the largest transaction. */
const WAL_CHECKPOINT_BYTES = 1000 * 4096;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const n = (v: number) => v.toLocaleString("en-US");

/** Requests a token bucket of `perMinute` (full at the start) lets through in `seconds`; Infinity when off. */
function allowance(perMinute: number, seconds: number): number {
  return perMinute === 0 ? Number.POSITIVE_INFINITY : Math.floor(perMinute + (perMinute * seconds) / 60);
}

export function growthBound(config: Config, seconds: number, addresses: number): Bound {
  const lines: string[] = [];
  const off: string[] = [];
  if (config.chatServicesPerMinutePerIp === 0) off.push("CHAT_SERVICES_PER_MINUTE_PER_IP=0");
  if (config.chatsPerMinutePerIp === 0) off.push("CHATS_PER_MINUTE_PER_IP=0");
  const chatRate = allowance(config.chatsPerMinutePerIp, seconds);
  const services = Math.min(allowance(config.chatServicesPerMinutePerIp, seconds), config.chatOpenServicesPerIp + chatRate);
  const chats = Math.min(chatRate, services);

  const serviceBytes = JSON_WORST * (config.chatMaxDataBytes + config.chatMaxDataValueChars + config.chatMaxFieldChars) + ROW_BYTES;
  const maxEntryBytes = UTF8_WORST * (config.chatMaxMessageChars + config.chatMaxFieldChars);
  const customerEntries = Math.min(config.chatMaxTranscriptEntries, allowance(config.chatEntriesPerMinute, seconds));
  const transcript = config.chatMaxTranscriptBytes;
  // Agents answer too, outside the customer's entry rate but inside the transcript's caps: here
  // the bench's agent fills the slow reader's chats with the largest messages.
  const entries = Math.min(config.chatMaxTranscriptEntries, customerEntries + Math.ceil(transcript / config.chatMaxMessageChars)) + 10;
  const attached = config.interactionMaxDataBytes;
  // The transcript is kept as entries, and with the history as plain text and as XML.
  const chatBytes = 2 * attached + transcript * COPIES + entries * ENTRY_BYTES + ROW_BYTES;
  const perAddress = services * serviceBytes + chats * chatBytes;
  const wal = WAL_CHECKPOINT_BYTES + chatBytes;
  const bytes = off.length > 0 ? Number.POSITIVE_INFINITY : perAddress * addresses * PAGE_FACTOR + wal;

  lines.push(`database growth the settings allow ${addresses} attacking address${addresses === 1 ? "" : "es"} in ${seconds} s:`);
  if (off.length > 0) {
    lines.push(`  none can be computed: ${off.join(", ")} (no limit), so one address may create without end`);
    return { bytes, lines };
  }
  lines.push(
    `  per address: ${n(services)} services (${config.chatServicesPerMinutePerIp} at once + ${config.chatServicesPerMinutePerIp}/min, at most ${n(config.chatOpenServicesPerIp)} open), ` +
      `each ≤ ${mb(serviceBytes)}: ${n(config.chatMaxDataBytes)} B of data, a ${n(config.chatMaxDataValueChars)}-character device id, stored as JSON (≤ ${JSON_WORST} B a character)`,
  );
  lines.push(
    `  ${n(chats)} chats (${config.chatsPerMinutePerIp} at once + ${config.chatsPerMinutePerIp}/min), each ≤ ${mb(chatBytes)}: ` +
      `attached data ≤ ${n(attached)} B twice (interaction, history); transcript ≤ ${n(transcript)} B`,
  );
  const byRate = customerEntries * maxEntryBytes;
  lines.push(
    `    (the entry rate lets the customer write ${n(customerEntries)} entries of ≤ ${n(maxEntryBytes)} B = ${mb(byRate)}: ` +
      `${byRate > transcript ? "the transcript cap binds" : "the rate binds, but agents' answers count up to the cap"}), ` +
      `kept ${COPIES} times: entries, history plain text, history XML (the cap counts text as the XML keeps it); ≤ ${n(entries)} entries × ${ENTRY_BYTES} B of rows and markup`,
  );
  lines.push(
    `  = ${mb(perAddress)} per address; × ${addresses} × ${PAGE_FACTOR} (SQLite pages, indexes) + ${mb(wal)} of write-ahead log = ${mb(bytes)}, ` +
      `plus the real users' own (the baseline's growth)`,
  );
  const perMinute = config.chatServicesPerMinutePerIp * serviceBytes + config.chatsPerMinutePerIp * chatBytes;
  lines.push(`  sustained, once the bursts are spent: ≤ ${mb(perMinute)} a minute per address (before SQLite's own overhead)`);
  lines.push(
    `  over time: ${config.historyRetentionSeconds === null ? "no bound: CS_HISTORY_RETENTION is unset, history is kept for ever" : `history is deleted after ${config.historyRetentionSeconds} s`}; ` +
      `a service lives ${config.chatUnusedServiceTtlMs / 1000} s unused, its configured ttlSeconds after its last activity once its chat opened`,
  );
  return { bytes, lines };
}
