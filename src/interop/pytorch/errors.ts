/**
 * The one error type of the PyTorch interop: a checkpoint that cannot be read, refused content,
 * or a state_dict that does not fit. Messages say what and where (byte offset, record, key).
 */
export class TorchCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchCheckpointError';
  }
}
