import { runCli } from './cli.js';

// `npm run store -- <command>`: configuration from .env and the environment, as the server reads it.
process.exitCode = await runCli(process.argv.slice(2));
// Output is flushed by now; an idle keep-alive socket (payment gateway, mail) must not hold the process open.
setTimeout(() => process.exit(), 1000).unref();
