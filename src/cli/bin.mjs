#!/usr/bin/env node
// The `lggan` command. The CLI is TypeScript; tsx compiles it on the fly so there is no build step.
// Exit codes: 0 ok, 1 bad input, 2 usage, 70 internal error, 130 interrupted (see src/cli/io.ts).
import { register } from 'tsx/esm/api';

register();
const argv = process.argv.slice(2);
try {
  const { debugRequested, installProcessHandlers } = await import('./process-exit.ts');
  installProcessHandlers(process, debugRequested(argv, process.env));
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
} catch (e) {
  // Only when the CLI itself cannot start (a broken install): still one line and the internal-error code.
  process.stderr.write(`lggan: internal error, the command line could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 70;
}
