/**
 * Where the bytes of files customers attach to chats are kept, behind one port: a directory on
 * this machine (under the data directory, CHAT_V2_FILE_DIR) now; an S3-compatible store can
 * implement the same three calls. Ids are the server's own (random, [A-Za-z0-9_-]), never a
 * client's file name, so no path a client sends reaches the file system.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";

export interface FileStore {
  /** Stores the bytes under `id`, durably (a 2xx after it means they survive a crash). */
  put(id: string, bytes: Buffer): Promise<void>;
  /** The bytes, or null when there are none under `id`. */
  get(id: string): Promise<Buffer | null>;
  delete(id: string): Promise<void>;
}

/** A new file id: 128 random bits, base64url (what Widgets pastes into an unquoted attribute must be plain). */
export function newFileId(): string {
  return randomBytes(16).toString("base64url");
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Files in one directory, written to a temporary name, flushed, then renamed into place. */
export class LocalFileStore implements FileStore {
  private readonly dir: string;
  private ready: Promise<void> | null = null;

  constructor(dir: string) {
    this.dir = dir;
  }

  private path(id: string): string {
    if (!ID.test(id)) throw new Error(`not a file id: ${id.slice(0, 64)}`);
    return join(this.dir, id);
  }

  private made(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  async put(id: string, bytes: Buffer): Promise<void> {
    await this.made();
    const target = this.path(id);
    const temporary = `${target}.part`;
    await writeFile(temporary, bytes, { flush: true });
    await rename(temporary, target);
  }

  async get(id: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }
}
