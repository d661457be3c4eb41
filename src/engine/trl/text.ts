// TRL configuration files as text: a YAML file as `trl grpo --config` takes it, or a JSON dict (of
// GRPOConfig + LoraConfig kwargs); and the mapping table, as text for the terminal and the app.
import { parse, stringify } from 'yaml';
import { TrlConfigError, type MappingRow } from './mapping.ts';

/** The mapping in a TRL config file's text (JSON when it parses as JSON, else YAML). */
export function parseTrlText(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = text.trim().startsWith('{') ? JSON.parse(text) : parse(text);
  } catch (e) {
    throw new TrlConfigError([`not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new TrlConfigError(['the file must hold a mapping of TRL field names to values']);
  return v as Record<string, unknown>;
}

/** TRL's fields as the YAML `trl grpo --config` reads, after a comment header. */
export function trlYaml(fields: Record<string, unknown>, header: string[] = []): string {
  return `${header.map((h) => `# ${h}\n`).join('')}${stringify(fields, { lineWidth: 0 })}`;
}

const show = (v: unknown) => {
  const s = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};

/** The rows as an aligned text table: TRL field, value, our field, status, note. */
export function mappingTable(rows: MappingRow[]): string {
  const cells = rows.map((r) => [r.trl ?? '-', show(r.value), r.ours ?? '-', r.status, r.note]);
  const head = ['TRL', 'value', 'webgrpo', 'status', 'note'];
  const w = head.map((h, i) => Math.min(40, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i < 4 ? x.padEnd(w[i]) : x))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}
