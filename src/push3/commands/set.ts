import { twoWords } from '../../session/arguments.js';
import { auditChange } from '../admin-change.js';
import { defineCommand } from '../command.js';
import { fail, success } from '../replies.js';

/** SET <key> <value> (extension): changes a live setting, validated; not persisted across restarts. */
export const set = defineCommand({
  verb: 'SET',
  phases: ['transaction'],
  args: twoWords,
  usage: 'SET <key> <value>',
  run: (state, [key, value], context) => {
    const result = context.settings.set(key, value);
    if (!result.ok) return { state, reply: fail(result.reason) };
    const pair = `${key.toLowerCase()}=${result.value}`;
    auditChange(context, state, 'setting-changed', pair);
    return { state, reply: success(pair) };
  },
});
