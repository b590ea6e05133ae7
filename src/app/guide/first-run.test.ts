import { describe, expect, it } from 'vitest';
import { GUIDE_SEEN_KEY, rememberGuideSeen, shouldShowGuide } from './first-run.ts';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

const refusing: Pick<Storage, 'getItem' | 'setItem'> = {
  getItem: () => {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  },
  setItem: () => {
    throw new DOMException('quota', 'QuotaExceededError');
  },
};

describe('the getting-started guide on first open', () => {
  it('shows until it has been seen once, then not again', () => {
    const storage = memoryStorage();
    expect(shouldShowGuide(storage)).toBe(true);
    expect(rememberGuideSeen(storage)).toBe(true);
    expect(storage.getItem(GUIDE_SEEN_KEY)).toBe('1');
    expect(shouldShowGuide(storage)).toBe(false);
  });

  it('shows on every page load when there is no storage or it refuses, and never throws', () => {
    expect(shouldShowGuide(undefined)).toBe(true);
    expect(rememberGuideSeen(undefined)).toBe(false);
    expect(shouldShowGuide(refusing)).toBe(true);
    expect(rememberGuideSeen(refusing)).toBe(false);
  });

  it('treats any other stored value as not seen', () => {
    const storage = memoryStorage();
    storage.setItem(GUIDE_SEEN_KEY, 'yes');
    expect(shouldShowGuide(storage)).toBe(true);
  });
});
