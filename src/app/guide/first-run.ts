/**
 * Whether the getting-started guide shows when the app opens: on the first open in this browser
 * only. The flag lives in localStorage; a window that refuses storage (some private windows) gets
 * the guide once per page load, and nothing throws.
 */
export const GUIDE_SEEN_KEY = 'lggan-studio.guide-seen';

/** `storage` as App's storage() gives it: undefined, or one whose calls may throw. */
export function shouldShowGuide(storage: Pick<Storage, 'getItem'> | undefined): boolean {
  try {
    return storage?.getItem(GUIDE_SEEN_KEY) !== '1';
  } catch {
    return true;
  }
}

/** Remembers that the guide was seen; false when the browser would not store it. */
export function rememberGuideSeen(storage: Pick<Storage, 'setItem'> | undefined): boolean {
  try {
    if (!storage) return false;
    storage.setItem(GUIDE_SEEN_KEY, '1');
    return true;
  } catch {
    return false;
  }
}
