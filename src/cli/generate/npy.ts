/**
 * NumPy's .npy format (version 1.0) for float32 arrays: the magic "\x93NUMPY", the version, a
 * little-endian uint16 header length, a Python-literal header padded with spaces to a multiple of
 * 64 bytes and ended by "\n", then the values as little-endian float32 in C order.
 * `numpy.load(path)` gives the array back with its shape.
 */
export function npyFloat32(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((n, d) => n * d, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || count !== data.length) {
    throw new RangeError(`npy: shape [${shape.join(', ')}] does not hold ${data.length} values`);
  }
  // A one-element tuple needs its trailing comma in Python: (5,).
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const padded = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(padded - preamble - dict.length - 1) + '\n';
  const bytes = new Uint8Array(padded + data.length * 4);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY, version 1.0
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[preamble + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(padded + i * 4, data[i], true);
  return bytes;
}
