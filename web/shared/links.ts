/** A URL someone typed or pushed, as a link only when it is http(s); anything else (javascript:, data:) is not a link. */
export function safeHttpUrl(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}
