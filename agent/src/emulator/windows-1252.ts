/**
 * Sage 100 (ProvideX) stores text in the Windows-1252 code page. A character outside it cannot be stored: it
 * arrives as '?', so a name sent with one changes in Sage. The emulator does the same, so a mapper that lets
 * such characters through fails a test instead of a merchant's order.
 */

/** The characters Windows-1252 puts at 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90, 0x9D are unassigned). */
const HIGH = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const EXTRA = new Set([...HIGH]);

function isWindows1252(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 || (code >= 0xa0 && code <= 0xff) || EXTRA.has(char);
}

/** The text as Sage stores it: every character outside Windows-1252 (an emoji is one) becomes '?'. */
export function toWindows1252(text: string): string {
  let out = '';
  for (const char of text) out += isWindows1252(char) ? char : '?';
  return out;
}
