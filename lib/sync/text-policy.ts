/**
 * Text Sage 100 can store: its string columns are Windows-1252, so a character outside that code page would
 * reach Sage as mojibake or a '?'. The mapper makes every text fit first, by a policy, and says what it changed.
 */

export type TextPolicy = 'transliterate' | 'replace' | 'keep' | 'hold';

/** The 27 characters Windows-1252 puts in 0x80–0x9F, where Latin-1 has control codes. */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function isWindows1252(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  if (code <= 0x7f) return true;
  if (code >= 0xa0 && code <= 0xff) return true;
  return CP1252_EXTRA.has(character);
}

/** Letters that do not decompose into a Latin letter and a mark, and common punctuation beyond the code page. */
const SPELLED: Readonly<Record<string, string>> = {
  Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', ĸ: 'k', ŉ: "'n", Ŧ: 'T', ŧ: 't',
  Ə: 'E', ə: 'e', Ŋ: 'N', ŋ: 'n', ſ: 's', Ɓ: 'B', ƀ: 'b', ẞ: 'SS', Ǆ: 'DZ', ǅ: 'Dz', ǆ: 'dz',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2015': '-', '\u2032': "'", '\u2033': '"', '\u2044': '/',
  '\u2212': '-', '\u00a0': ' ', '\u2002': ' ', '\u2003': ' ', '\u2009': ' ', '\u200a': ' ', '\u202f': ' ',
  '\u200b': '', '\u200c': '', '\u200d': '', '\ufeff': '', '\u2116': 'No', '\u2122': '™',
};

const COMBINING_MARK = /\p{M}/u;

/** One character as Windows-1252 text, or undefined when it has no sensible Latin spelling (CJK, emoji …). */
function transliterateCharacter(character: string): string | undefined {
  if (isWindows1252(character)) return character;
  const spelled = SPELLED[character];
  if (spelled !== undefined) return spelled;
  // "Ś" = "S" + combining acute: keep the base letter when all that is left is marks.
  const decomposed = character.normalize('NFKD');
  const base = [...decomposed].filter((part) => !COMBINING_MARK.test(part)).join('');
  if (base !== '' && [...base].every(isWindows1252)) return base;
  return undefined;
}

export interface FittedText {
  text: string;
  /** The characters that were changed (deduplicated), for the warning. */
  changed: string[];
  /** Characters that could only become '?' (or were kept as they are with `keep`). */
  unmappable: string[];
}

/**
 * Windows-1252 text under `policy`: `transliterate` spells letters without their marks ("Łódź" → "Lodz",
 * "ü" stays: it is in the code page) and puts '?' for what has no Latin spelling; `replace` puts '?' for every
 * character outside the code page; `keep` changes nothing (Sage decides); `hold` changes nothing either — the
 * caller holds the order when `unmappable` is not empty.
 */
export function fitWindows1252(text: string, policy: TextPolicy): FittedText {
  const changed = new Set<string>();
  const unmappable = new Set<string>();
  let out = '';
  // Whole graphemes, so "👩‍👩‍👧" is one '?' and a letter with two marks one letter.
  for (const { segment } of graphemes(text)) {
    if ([...segment].every(isWindows1252)) {
      out += segment;
      continue;
    }
    if (policy === 'keep' || policy === 'hold') {
      unmappable.add(segment);
      out += segment;
      continue;
    }
    changed.add(segment);
    const spelled = policy === 'transliterate' ? transliterateGrapheme(segment) : undefined;
    if (spelled === undefined) unmappable.add(segment);
    out += spelled ?? '?';
  }
  return { text: out, changed: [...changed], unmappable: [...unmappable] };
}

function transliterateGrapheme(segment: string): string | undefined {
  const composed = segment.normalize('NFC');
  if ([...composed].every(isWindows1252)) return composed;
  let out = '';
  for (const character of composed) {
    const spelled = transliterateCharacter(character);
    if (spelled === undefined) {
      // A lone variation selector or mark after a Latin letter is dropped; anything else has no spelling.
      if (COMBINING_MARK.test(character) || /[\u{fe00}-\u{fe0f}]/u.test(character)) continue;
      return undefined;
    }
    out += spelled;
  }
  return out;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function graphemes(text: string): Iterable<{ segment: string }> {
  return segmenter.segment(text);
}
