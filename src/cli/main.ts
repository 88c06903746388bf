import { runCli } from './cli.js';

// `npm run store -- <command>`: configuration from .env and the environment, as the server reads it.
process.exitCode = await runCli(process.argv.slice(2));
