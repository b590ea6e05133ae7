/**
 * The one error type of the PyTorch interop: a checkpoint that cannot be read, refused content,
 * or a state_dict that does not fit. Messages say what and where (byte offset, record, key); the
 * reader also keeps the place as fields, so callers and tests need not parse the message.
 */
export interface CheckpointPlace {
  /** Byte offset in the file (or in the named zip record) where the problem is. */
  byte?: number;
  /** The zip record (or legacy stream part) the byte belongs to. */
  entry?: string;
}

export class TorchCheckpointError extends Error {
  readonly byte: number | undefined;
  readonly entry: string | undefined;
  constructor(message: string, place: CheckpointPlace = {}) {
    super(message);
    this.name = 'TorchCheckpointError';
    this.byte = place.byte;
    this.entry = place.entry;
  }
}
