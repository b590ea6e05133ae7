export interface FoundBrowser {
  path: string;
  source: 'CHROMIUM_PATH' | 'system' | 'playwright';
}
export function findChromium(options?: { env?: NodeJS.ProcessEnv; systemPath?: string }): {
  found: FoundBrowser | null;
  tried: string[];
};
export const HOW_TO_GET_CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
