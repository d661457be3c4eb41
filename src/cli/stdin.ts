// The text a command reads from its standard input (`webgrpo reward math|ocaml|python_*` read the completion
// there). A module of its own so that the commands import it without importing the command table.

/** Reads all of stdin as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
