// Copies an OCaml bytecode executable without some of its sections (e.g. DBUG, the debug info that
// only backtraces use). Usage: node strip-bytecode.mjs <in> <out> <SECTION>...
//
// A bytecode executable ends with a section table and a trailer:
//   header | section 1 | ... | section n | n x (name[4], length u32 BE) | n u32 BE | magic[12]
import fs from 'node:fs';

const [input, output, ...drop] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: node strip-bytecode.mjs <in> <out> <SECTION>...');
const buf = fs.readFileSync(input);
const magic = buf.subarray(buf.length - 12).toString('latin1');
if (!magic.startsWith('Caml1999X'))
  throw new Error(`${input} is not an OCaml bytecode executable (trailer "${magic}")`);
const count = buf.readUInt32BE(buf.length - 16);
const tableStart = buf.length - 16 - 8 * count;
const sections = [];
for (let i = 0; i < count; i++) {
  const at = tableStart + 8 * i;
  sections.push({ name: buf.subarray(at, at + 4).toString('latin1'), length: buf.readUInt32BE(at + 4) });
}
let pos = tableStart - sections.reduce((s, x) => s + x.length, 0);
const header = buf.subarray(0, pos);
const kept = [];
for (const s of sections) {
  if (!drop.includes(s.name)) kept.push({ ...s, data: buf.subarray(pos, pos + s.length) });
  pos += s.length;
}
const table = Buffer.alloc(8 * kept.length + 4);
kept.forEach((s, i) => {
  table.write(s.name, 8 * i, 'latin1');
  table.writeUInt32BE(s.length, 8 * i + 4);
});
table.writeUInt32BE(kept.length, 8 * kept.length);
fs.writeFileSync(output, Buffer.concat([header, ...kept.map((s) => s.data), table, Buffer.from(magic, 'latin1')]));
console.log(`${output}: kept ${kept.map((s) => s.name).join(' ')}; dropped ${drop.join(' ')}`);
