// Text handling for the OCaml reward: taking the code out of a completion and cutting it into top-level
// definitions (so type errors can be counted one definition at a time; ocamlc stops at the first).
//
//   extractCode('Here:\n```ocaml\nlet x = 1\n```\nEND', 'END')   // { code: 'let x = 1', hasEndMarker: true, ... }

export interface ExtractedCode {
  code: string;
  /** Where the code came from: a fenced block, the text up to the end marker, or the whole completion. */
  source: 'fence' | 'marker' | 'whole';
  hasEndMarker: boolean;
}

const FENCE = /```[ \t]*(ocaml|ml)?[^\n]*\n([\s\S]*?)(?:```|$)/gi;

function markerLine(text: string, marker: string): number {
  const lines = text.split('\n');
  return lines.findIndex((l) => l.trim() === marker);
}

/**
 * The completion's code: its first ```ocaml block (else its first fenced block), else the text up to a
 * line holding only the end marker, else all of it. The marker counts as present when a line holds only
 * the marker, or the completion ends with it.
 */
export function extractCode(completion: string, endMarker: string): ExtractedCode {
  const marker = endMarker.trim();
  const hasEndMarker = marker !== '' && (markerLine(completion, marker) >= 0 || completion.trimEnd().endsWith(marker));
  const fences = [...completion.matchAll(FENCE)];
  const fence = fences.find((m) => m[1]) ?? fences[0];
  if (fence) return { code: fence[2].replace(/\s+$/, ''), source: 'fence', hasEndMarker };
  const at = marker ? markerLine(completion, marker) : -1;
  if (at >= 0)
    return { code: completion.split('\n').slice(0, at).join('\n').replace(/\s+$/, ''), source: 'marker', hasEndMarker };
  let code = completion;
  if (marker && code.trimEnd().endsWith(marker)) code = code.trimEnd().slice(0, -marker.length);
  return { code: code.replace(/\s+$/, ''), source: 'whole', hasEndMarker };
}

/** Non-blank lines that are not only a comment: the measure of "too short to be a program". */
export function codeLineCount(code: string): number {
  return code.split('\n').filter((l) => {
    const t = l.trim();
    return t !== '' && !/^\(\*.*\*\)$/.test(t);
  }).length;
}

/** A top-level definition: its text and its 1-based line range in the code. */
export interface TopLevelItem {
  text: string;
  firstLine: number;
  lastLine: number;
}

// A top-level phrase starts at column 0 with one of these keywords; `and` and `in` continue a phrase.
const STARTERS = /^((let|type|module|open|exception|external|class|include)\b|#|;;|\[@@@)/;

/**
 * Cuts code into top-level definitions by layout: a new one starts at an unindented line that opens a
 * phrase (`let`, `type`, `module`, ...). Model output is nearly always laid out this way; code that is
 * not only makes the error count coarser (one item for several definitions), never wrong about errors.
 */
export function splitTopLevel(code: string): TopLevelItem[] {
  // code indented as a whole (copied out of a list item, say) is read as if it were not
  const indents = code
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => /^[ \t]*/.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  const lines = code.split('\n').map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)![0].length)));
  const items: TopLevelItem[] = [];
  let start = 0;
  const push = (end: number) => {
    const text = lines.slice(start, end).join('\n');
    if (text.trim() !== '') items.push({ text, firstLine: start + 1, lastLine: end });
  };
  for (let i = 1; i < lines.length; i++) {
    if (STARTERS.test(lines[i]) && !/^(let|open)\b.*\bin\s*$/.test(lines[i - 1] ?? '')) {
      // a comment right above a definition belongs to it
      let j = i;
      while (j - 1 >= start && /^\(\*/.test(lines[j - 1])) j--;
      push(j);
      start = j;
    }
  }
  push(lines.length);
  return items;
}

/** Source made of the given items, each at its original line so compiler messages keep their lines. */
export function joinItems(items: TopLevelItem[]): string {
  const out: string[] = [];
  for (const it of items) {
    while (out.length < it.firstLine - 1) out.push('');
    out.push(...it.text.split('\n'));
  }
  return out.join('\n') + '\n';
}

/** The line of the first error ocamlc reports for `file`, or null when the message has no location. */
export function errorLine(stderr: string, file: string): number | null {
  const re = new RegExp(`File "${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", lines? (\\d+)`);
  const m = re.exec(stderr);
  return m ? Number(m[1]) : null;
}
