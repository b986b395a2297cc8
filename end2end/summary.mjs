// Prints one closing line for the Playwright run, e.g. "playwright: 10 passed, 0 failed".
import { readFileSync } from 'node:fs';

const { stats } = JSON.parse(readFileSync(new URL('./test-results/results.json', import.meta.url)));
const failed = stats.unexpected + stats.flaky;
console.log(`playwright: ${stats.expected} passed, ${failed} failed, ${stats.skipped} skipped`);
