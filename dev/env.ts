import { readEnvironment } from '../src/platform/config.js';
import { developmentEnvironment } from './config.js';

// Preloaded by the npm scripts of the development tools (`tsx --import ./dev/env.ts src/cli/…`): the
// owner's commands, migrations and seeds see the same development values as `npm start` (never in production).
const raw = readEnvironment();
if (raw.NODE_ENV !== 'production') Object.assign(process.env, developmentEnvironment(raw).defaults);
