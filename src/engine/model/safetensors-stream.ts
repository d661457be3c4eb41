// The safetensors format read from a stream of chunks, one tensor at a time: the header first, then each
// tensor's bytes in file order, passed on as soon as they are complete. Memory: one tensor's bytes (and the
// chunk being read), never the whole file. bf16 and f16 stay 16-bit bits (Uint16Array), as
// readSafetensors' `keep16` gives them, so the loader chooses how each is kept on the device.
//
//   for await (const [name, t] of streamSafetensors(chunks, 'model.safetensors', { onHeader })) place(name, t)
import { SafetensorsError, decode, type StDtype, type StTensor } from './safetensors.ts';

export interface StHeaderEntry {
  dtype: StDtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface StreamOptions {
  /** Called with the file's tensor entries before the first tensor is passed on. */
  onHeader?(entries: [string, StHeaderEntry][]): void;
  /** Tensors to pass on (default all); the bytes of the others are read past without being kept. */
  want?(name: string): boolean;
}

/** The largest header accepted: real ones are well under a megabyte; a larger one is not a header. */
const MAX_HEADER = 100_000_000;

/** Reads exact byte counts from an iterator of chunks. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Fills `out` (or skips `out` bytes when it is a number); false at the end of the stream. */
  async take(out: Uint8Array | number): Promise<boolean> {
    const n = typeof out === 'number' ? out : out.byteLength;
    let got = 0;
    while (got < n) {
      if (this.off >= this.buf.byteLength) {
        const r = await this.it.next();
        if (r.done) return false;
        this.buf = r.value;
        this.off = 0;
      }
      const k = Math.min(n - got, this.buf.byteLength - this.off);
      if (typeof out !== 'number') out.set(this.buf.subarray(this.off, this.off + k), got);
      got += k;
      this.off += k;
    }
    return true;
  }
}

async function readHeader(r: ByteReader, where: string): Promise<[string, StHeaderEntry][]> {
  const len = new Uint8Array(8);
  if (!(await r.take(len)))
    throw new SafetensorsError(`${where} is shorter than the 8-byte header length: not a safetensors file`);
  const n = Number(new DataView(len.buffer).getBigUint64(0, true));
  if (n <= 0 || n > MAX_HEADER) throw new SafetensorsError(`${where}: header length ${n} is not plausible`);
  const head = new Uint8Array(n);
  if (!(await r.take(head)))
    throw new SafetensorsError(`${where}: the header is cut short: the download is incomplete`);
  let header: Record<string, StHeaderEntry>;
  try {
    header = JSON.parse(new TextDecoder().decode(head)) as Record<string, StHeaderEntry>;
  } catch (e) {
    throw new SafetensorsError(`${where}: the header is not JSON (${(e as Error).message}): not a safetensors file`);
  }
  delete (header as Record<string, unknown>).__metadata__;
  const entries = Object.entries(header);
  for (const [name, e] of entries) {
    const [a, b] = e?.data_offsets ?? [];
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b < a || !Array.isArray(e.shape))
      throw new SafetensorsError(`${where}: the header entry of ${name} is malformed`);
  }
  return entries.sort((x, y) => x[1].data_offsets[0] - y[1].data_offsets[0]);
}

export async function* streamSafetensors(
  chunks: AsyncIterable<Uint8Array>,
  where: string,
  o: StreamOptions = {},
): AsyncGenerator<[string, StTensor]> {
  const it = chunks[Symbol.asyncIterator]();
  try {
    const r = new ByteReader(it);
    const entries = await readHeader(r, where);
    o.onHeader?.(entries);
    let pos = 0;
    for (const [name, e] of entries) {
      const [a, b] = e.data_offsets;
      if (a < pos) throw new SafetensorsError(`${where}: tensor ${name} overlaps another`);
      const wanted = !o.want || o.want(name);
      const raw = wanted ? new Uint8Array(b - a) : b - a; // fresh, so aligned for any typed-array view
      if (!(await r.take(a - pos)) || !(await r.take(raw)))
        throw new SafetensorsError(`tensor ${name} lies past the end of ${where}: the download is incomplete`);
      pos = b;
      if (typeof raw !== 'number')
        yield [name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, raw, name, true, false) }];
    }
    while (await r.take(1 << 16)); // read to the end, so that a source that caches as it reads completes
  } finally {
    await it.return?.(); // stop the download when the reader stops early
  }
}
