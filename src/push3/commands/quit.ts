import { defineCommand } from '../command.js';
import { finish } from './finish.js';

/** The spec's summary table lists QUIT for both states: the same as FINISH. */
export const quit = defineCommand({ ...finish, verb: 'QUIT', usage: 'QUIT' });
