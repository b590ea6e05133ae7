/**
 * Issue 17.9, storage that stays, at 1280×720 (light) and 1920×1080 (dark): a run's first autosave
 * asks the browser for persistent storage (once); the app's Library → Storage lists the autosave
 * with its size and date and the quota used; deleting it (after a confirm) takes it out of the
 * store and its bytes out of the total. Screenshots go to e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, shot, watchErrors } from './editor.test-util.ts';

const SIZES = [
  { width: 1280, height: 720, theme: 'light' },
  { width: 1920, height: 1080, theme: 'dark' },
] as const;

/** Counts navigator.storage.persist() calls on every page of the context (the real call still runs). */
async function countPersistCalls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const storage = navigator.storage as StorageManager & { persistCalls?: number };
    const real = storage.persist.bind(storage);
    storage.persistCalls = 0;
    storage.persist = () => {
      storage.persistCalls! += 1;
      return real();
    };
  });
}
const persistCalls = (page: Page) => page.evaluate(() => (navigator.storage as StorageManager & { persistCalls?: number }).persistCalls ?? 0);

/** Trains the harness's tiny graph three steps on wasm with an autosave every step: one autosave in IndexedDB. */
async function trainWithAutosaves(page: Page): Promise<void> {
  await page.goto('/harness/run-panel-harness.html?graph=tiny');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('backend-setting').selectOption('wasm');
  await page.getByTestId('batch-size').fill('1');
  await page.getByTestId('steps').fill('3');
  await page.getByTestId('autosave-every').fill('1');
  await page.getByTestId('sample-every').fill('0');
  await page.getByTestId('eval-every').fill('0');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
}

for (const size of SIZES) {
  const tag = `${size.width}x${size.height}-${size.theme}`;

  test(`storage at ${tag}: persistence asked at the first autosave; the library lists, sizes and deletes stored checkpoints`, async ({ page }) => {
    test.setTimeout(120_000);
    const errors = watchErrors(page);
    await page.setViewportSize({ width: size.width, height: size.height });
    await countPersistCalls(page);

    await trainWithAutosaves(page);
    // Three autosaves, one question.
    expect(await persistCalls(page)).toBe(1);

    await openApp(page);
    if (size.theme === 'dark') await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', size.theme);
    await page.getByTestId('library').click();
    await page.getByTestId('library-tab-storage').click();

    const item = page.getByTestId('stored-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('tiny training GAN (worker)');
    await expect(item).toContainText('autosave · step 3');
    const bytes = Number(await item.getAttribute('data-bytes'));
    expect(bytes).toBeGreaterThan(1000);
    const usage = page.getByTestId('storage-usage');
    await expect(usage).toHaveAttribute('data-checkpoint-bytes', String(bytes));
    await expect(usage).toContainText(/Checkpoints in this browser: [\d.]+ (KiB|MiB) in 1 file/);
    await expect(usage).toContainText(/The whole site uses [\d.]+ (B|KiB|MiB|GiB) of the [\d.]+ (MiB|GiB) the browser allows it/);
    await expect(page.getByTestId('storage-persist')).toHaveAttribute('data-persistence', /^(granted|best-effort)$/);
    await page.screenshot({ path: shot(`storage-library-${tag}`) });

    // Delete asks first: dismissing keeps it, accepting removes it and its bytes.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByTestId('stored-delete').click();
    await expect(item).toHaveCount(1);
    page.once('dialog', (d) => {
      expect(d.message()).toContain('Delete the autosave of “tiny training GAN (worker)” at step 3');
      void d.accept();
    });
    await page.getByTestId('stored-delete').click();
    await expect(item).toHaveCount(0);
    await expect(usage).toHaveAttribute('data-checkpoint-bytes', '0');
    await expect(page.getByTestId('storage-panel')).toContainText('No checkpoints or autosaves are stored in this browser.');
    await page.screenshot({ path: shot(`storage-deleted-${tag}`) });
    expect(errors).toEqual([]);
  });
}
