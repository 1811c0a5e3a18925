import { noArguments } from '../../session/arguments.js';
import { defineCommand, type CommandSpec } from '../command.js';
import { success } from '../replies.js';

/** HELP (extension): the commands valid in the current state. Given the table lazily: HELP is in it. */
export function helpCommand(table: () => Iterable<CommandSpec>): CommandSpec {
  return defineCommand({
    verb: 'HELP',
    phases: ['authentication', 'transaction'],
    args: noArguments,
    usage: 'HELP',
    run: (state) => {
      const valid = [...table()].filter((spec) => (spec.phases as readonly string[]).includes(state.phase));
      return { state, reply: success(valid.map((spec) => spec.usage).join('; ')) };
    },
  });
}
