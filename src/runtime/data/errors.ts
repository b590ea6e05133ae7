/**
 * Typed dataset errors. Every problem found in a dataset names the file it is about, so a run can
 * stop cleanly and tell the user which file to fix.
 */

export type DatasetErrorCode =
  /** An image without its label map (or the reverse), or a label map without its instance map. */
  | 'unpaired'
  /** Sizes disagree: a label map of another size than its image, a cross-view image not six panels wide. */
  | 'size'
  /** Label ids beyond num_classes. */
  | 'label-range'
  /** Unreadable or corrupt image, or an unsupported pixel format. */
  | 'decode'
  /** The folder layout is not the expected one (no leftImg8bit/, no train/ …), or a dataset is empty. */
  | 'layout'
  /** A file that is listed or expected could not be read. */
  | 'missing'
  /** A symbolic link that leaves the dataset folder, loops back into it, or leads nowhere. */
  | 'link';

export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    /** The file (or folder) the problem is about, relative to the dataset source. */
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DatasetError';
  }
}

/** A graph input node that no dataset field can feed, or a field that does not fit the node. */
export class FeedError extends Error {
  constructor(
    /** The input node's id. */
    readonly node: string,
    readonly detail: string,
  ) {
    super(`input node '${node}': ${detail}`);
    this.name = 'FeedError';
  }
}
