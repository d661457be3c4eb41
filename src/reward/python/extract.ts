// Answer extraction for the Python tasks (pure, DOM-free): the input of an abduction answer and the
// program of a deduction answer, and the output comparison both rewards share.
//
//   extractInput('so <input>\n3 4\n</input>')          // { text: '3 4\n', source: 'tag' }
//   extractProgram('```python\nprint(1)\n```')         // { text: 'print(1)\n', source: 'fence' }

export interface Extracted {
  text: string;
  source: 'tag' | 'fence';
}

const FENCE = /```([\w+-]*)[^\n]*\n([\s\S]*?)```/g;

function fences(completion: string): { lang: string; body: string }[] {
  return [...completion.matchAll(FENCE)].map((m) => ({ lang: m[1].toLowerCase(), body: m[2] }));
}

/** The last <tag>...</tag> (a newline right after the opening tag is not part of it), else the last ``` block. */
export function extractInput(completion: string, tag = 'input'): Extracted | null {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  const tagged = [...completion.matchAll(re)].at(-1);
  if (tagged) return { text: tagged[1].replace(/^\r?\n/, ''), source: 'tag' };
  const block = fences(completion).at(-1);
  return block ? { text: block.body, source: 'fence' } : null;
}

/** The last ```python (or ```py) block, else the last ``` block of any language. */
export function extractProgram(completion: string): Extracted | null {
  const blocks = fences(completion);
  const block =
    blocks.filter((b) => b.lang === 'python' || b.lang === 'py' || b.lang === 'python3').at(-1) ?? blocks.at(-1);
  return block ? { text: block.body, source: 'fence' } : null;
}

/** Output with trailing whitespace removed from each line and from the end. */
export function normalizeOutput(s: string): string {
  return s
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

export function outputsMatch(actual: string, expected: string): boolean {
  return normalizeOutput(actual) === normalizeOutput(expected);
}
