// Reading and writing the safetensors format (8-byte little-endian header length, a JSON header, then
// raw little-endian tensor bytes). bf16 and f16 are widened to f32 on read, unless `keep16` asks for their
// bits (a Uint16Array, for weights kept 16-bit on the GPU: model/packed.ts); we write f32 only.
//
//   const tensors = readSafetensors(bytes)          // Map<name, {dtype, shape, data: Float32Array|Int32Array}>
//   const raw = readSafetensors(bytes, undefined, { keep16: true })   // F16/BF16 data as Uint16Array bits
//   const bytes = writeSafetensors({ name: { shape, data } })

export type StDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'I8' | 'U8' | 'BOOL' | 'F64';
export interface StTensor {
  dtype: StDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint16Array; // Uint16Array: F16/BF16 bits, only with `keep16`
}
interface HeaderEntry {
  dtype: StDtype;
  shape: number[];
  data_offsets: [number, number];
}

export class SafetensorsError extends Error {
  readonly name = 'SafetensorsError';
}

export function readSafetensorsHeader(bytes: ArrayBuffer | Uint8Array): {
  header: Record<string, HeaderEntry>;
  dataStart: number;
} {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < 8)
    throw new SafetensorsError('file is shorter than the 8-byte header length: not a safetensors file');
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > u8.byteLength)
    throw new SafetensorsError(
      `header length ${n} exceeds the file (${u8.byteLength} bytes): truncated or not a safetensors file`,
    );
  const json = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + n))) as Record<string, HeaderEntry>;
  delete (json as Record<string, unknown>).__metadata__;
  return { header: json, dataStart: 8 + n };
}

export function readSafetensors(
  bytes: ArrayBuffer | Uint8Array,
  filter?: (name: string) => boolean,
  o: { keep16?: boolean } = {},
): Map<string, StTensor> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { header, dataStart } = readSafetensorsHeader(u8);
  const out = new Map<string, StTensor>();
  for (const [name, e] of Object.entries(header)) {
    if (filter && !filter(name)) continue;
    const [a, b] = e.data_offsets;
    if (dataStart + b > u8.byteLength)
      throw new SafetensorsError(`tensor ${name} lies past the end of the file: the download is incomplete`);
    out.set(name, {
      dtype: e.dtype,
      shape: e.shape,
      data: decode(e.dtype, u8.subarray(dataStart + a, dataStart + b), name, o.keep16 === true),
    });
  }
  return out;
}

/** A tensor's values from its bytes; `copy` false when `raw` is a fresh, aligned buffer of its own. */
export function decode(dtype: StDtype, raw: Uint8Array, name: string, keep16: boolean, copy = true): StTensor['data'] {
  // Copy to an aligned buffer: offsets in the file need not be multiples of 4.
  const buf =
    copy || raw.byteOffset !== 0 || raw.byteLength !== raw.buffer.byteLength ? new Uint8Array(raw).buffer : raw.buffer;
  if (keep16 && (dtype === 'F16' || dtype === 'BF16')) return new Uint16Array(buf);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
      return f16ToF32(new Uint16Array(buf));
    case 'BF16':
      return bf16ToF32(new Uint16Array(buf));
    case 'I32':
      return new Int32Array(buf);
    case 'I64':
      return Int32Array.from(new BigInt64Array(buf), (x) => Number(x));
    case 'F64':
      return Float32Array.from(new Float64Array(buf));
    default:
      throw new SafetensorsError(
        `tensor ${name} has dtype ${dtype}, which webgrpo cannot read; convert it to f32, f16 or bf16`,
      );
  }
}

export function bf16ToF32(src: Uint16Array): Float32Array {
  const u32 = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) u32[i] = src[i] << 16;
  return new Float32Array(u32.buffer);
}

export function f16ToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i],
      s = h & 0x8000 ? -1 : 1,
      e = (h >> 10) & 0x1f,
      m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** Serialises f32 tensors (names sorted, as safetensors' own writer does). */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const n of names) {
    const len = tensors[n].data.byteLength;
    header[n] = { dtype: 'F32', shape: tensors[n].shape, data_offsets: [off, off + len] };
    off += len;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // align the data to 8 bytes
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const n of names) {
    const d = tensors[n].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), p);
    p += d.byteLength;
  }
  return out;
}
