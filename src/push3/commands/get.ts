import { SETTING_KEYS } from '../../config/live-settings.js';
import { optionalWord } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { fail, success } from '../replies.js';

/** GET [key] (extension): one live setting as `key=value`, or all of them. */
export const get = defineCommand({
  verb: 'GET',
  phases: ['transaction'],
  args: optionalWord,
  usage: 'GET [key]',
  run: (state, key, context) => {
    const keys = key === undefined ? SETTING_KEYS : [key.toLowerCase()];
    const pairs = keys.map((k) => [k, context.settings.get(k)] as const);
    if (pairs.some(([, value]) => value === undefined)) {
      return { state, reply: fail(`Unknown setting; known: ${SETTING_KEYS.join(', ')}`) };
    }
    return { state, reply: success(pairs.map(([k, value]) => `${k}=${value}`).join(' ')) };
  },
});
