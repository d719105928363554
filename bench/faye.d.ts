/** Faye ships no types; the benchmark uses three calls of it (see bayeux-target.ts). */
declare module "faye";
