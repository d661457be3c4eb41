// What a graded program may not use: the few parts of OCaml that step outside its type system. With them a
// program could read or write any memory of the runtime (and so forge the tests' verdicts); without them,
// OCaml's type safety keeps the test harness's own values out of the program's reach.
//
//   forbiddenUses(parsetreeDump)   // [{ line: 3, what: 'external declarations' }, ...]
//
// The program is scanned in the compiler's own parse tree (`ocamlc -dparsetree`), so comments, strings and
// layout cannot hide a use. Refused: `external` declarations (any runtime primitive, `%identity` included),
// the modules Obj and Marshal, the compiler's internal modules (CamlinternalOO, ..., and the Stdlib__X unit
// names), every value named `unsafe_*` (Array.unsafe_get, Bytes.unsafe_to_string, ...) and `input_value`
// (unmarshalling: a value of any type). A program can only reach these by naming them, so naming them
// anywhere (an alias, an open, a signature) counts.

export interface ForbiddenUse {
  /** 1-based line in the program, or null when the parse tree gave none. */
  line: number | null;
  what: string;
}

const FORBIDDEN_MODULES = new Set(['Obj', 'Marshal']);
const isForbiddenModule = (m: string) =>
  FORBIDDEN_MODULES.has(m) || m.startsWith('Stdlib__') || m.startsWith('Camlinternal');
const isForbiddenValue = (v: string) => v.startsWith('unsafe_') || v === 'input_value';

// A quoted token of the dump (OCaml's %S escaping), and the location printed after it: file[line,bol+col].
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
const LOCATION = /\[(\d+),\d+\+\d+\]/;
const STRING_CONSTANT = /PConst_string\s*\("(?:[^"\\]|\\.)*",\([^)]*\),(?:None|Some "(?:[^"\\]|\\.)*")\)/g;
// Nodes whose last path component names a module (elsewhere the last component is a value, type or constructor).
const MODULE_NODE = /\b(Pmod_ident|Pmty_ident|Pmty_alias)\b/;

function usesOf(token: string, moduleNode: boolean): string | null {
  const parts = token.split('.');
  const modules = moduleNode ? parts : parts.slice(0, -1);
  const badModule = modules.find(isForbiddenModule);
  if (badModule) return `the module ${badModule}`;
  const last = parts[parts.length - 1];
  if (!moduleNode && isForbiddenValue(last)) return `\`${token}\``;
  return null;
}

/** Every forbidden use in a parse tree printed by `ocamlc -dparsetree`, in order. */
export function forbiddenUses(dump: string): ForbiddenUse[] {
  const uses: ForbiddenUse[] = [];
  for (const row of dump.split('\n')) {
    const at = LOCATION.exec(row);
    const line = at ? Number(at[1]) : null;
    // string constants (and a quoted string's delimiter) are data, not names
    const code = row.replace(STRING_CONSTANT, 'PConst_string');
    if (/\b(Pstr_primitive|Psig_primitive)\b/.test(code)) uses.push({ line, what: 'external declarations' });
    const moduleNode = MODULE_NODE.test(code);
    for (const m of code.matchAll(QUOTED)) {
      const what = usesOf(m[1], moduleNode);
      if (what) uses.push({ line, what });
    }
  }
  return uses;
}

/** The parse tree at the head of ocamlc's stderr (printed before any type error), and the rest. */
export function splitDump(stderr: string): { dump: string; rest: string } {
  const start = stderr.indexOf('[\n');
  if (start < 0 || stderr.slice(0, start).trim() !== '') return { dump: '', rest: stderr };
  // the tree's inner lines are indented; the first line that is exactly "]" closes it
  const end = stderr.indexOf('\n]\n', start);
  if (end < 0) return { dump: stderr, rest: '' };
  return { dump: stderr.slice(0, end + 3), rest: stderr.slice(end + 3) };
}

export const FORBIDDEN_HELP =
  'the sandbox refuses external declarations, Obj, Marshal, input_value, the unsafe_* functions and the compiler internals';
