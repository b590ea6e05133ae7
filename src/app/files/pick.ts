/**
 * The one way an <input type="file"> hands its pick on: the files are taken and the input is
 * cleared, so that picking the same file again fires `change` again; a cancelled pick (nothing
 * chosen) calls nothing.
 */

/** An onchange handler that hands every picked file (a folder pick gives many) to `use`. */
export function onFilesPicked(use: (files: File[]) => unknown): (event: Event) => void {
  return (event) => {
    const input = event.currentTarget as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length > 0) void use(files);
  };
}

/** An onchange handler that hands the first picked file to `use`. */
export function onFilePicked(use: (file: File) => unknown): (event: Event) => void {
  return onFilesPicked((files) => use(files[0]));
}
