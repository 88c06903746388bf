import type { Command } from '../command.js';
import { categoriesCommands } from './categories.js';
import { discountsCommands } from './discounts.js';
import { donationsCommands } from './donations.js';
import { filesCommands } from './files.js';
import { grantsCommands } from './grants.js';
import { keysCommands } from './keys.js';
import { licensesCommands } from './licenses.js';
import { messagesCommands } from './messages.js';
import { ordersCommands } from './orders.js';
import { productsCommands } from './products.js';
import { rotateCommands } from './rotate.js';
import { taxRatesCommands } from './tax-rates.js';

/**
 * Every owner command, in the order `--help` lists them. A new command group is one file under
 * commands/ exporting its Command[] and one line here.
 */
export const commands: Command[] = [
  ...productsCommands,
  ...categoriesCommands,
  ...keysCommands,
  ...rotateCommands,
  ...filesCommands,
  ...ordersCommands,
  ...donationsCommands,
  ...discountsCommands,
  ...grantsCommands,
  ...licensesCommands,
  ...messagesCommands,
  ...taxRatesCommands,
];
