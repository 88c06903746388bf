/**
 * An owner's command (`npm run store -- …`) that loads everything, then waits for a line on stdin
 * before it runs: a test starts many at once to make them meet on the database.
 */
import { runCli } from '../../src/cli/cli.js';

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
process.exitCode = await runCli(process.argv.slice(2));
setTimeout(() => process.exit(), 1000).unref();
