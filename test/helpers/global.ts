import { closeBrowser } from './browser.ts';
import { startTestEngine, stopTestEngine } from './engine.ts';

/** Mocha global fixtures: one database engine (and at most one Chromium) for the whole run. */
export async function mochaGlobalSetup(): Promise<void> {
  await startTestEngine();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeBrowser();
  await stopTestEngine();
}
