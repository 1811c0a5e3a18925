import {
  concat,
  concatMap,
  connect,
  defer,
  endWith,
  finalize,
  ignoreElements,
  merge,
  mergeScan,
  of,
  share,
  startWith,
  switchMap,
  take,
  takeUntil,
  takeWhile,
  tap,
  timer,
} from 'rxjs';
import type { SessionFactory } from '../net/connection.js';
import type { Transition } from './command.js';
import type { Pop3Service, SessionContext } from './context.js';
import { step } from './dispatch.js';
import { ok, err } from './replies.js';
import { initialState, type SessionState } from './state.js';

const start: Transition = { state: initialState, reply: ok('') };
const AUTOLOGOUT = err('Disconnected for inactivity');

/**
 * A POP3 session as one stream: lines are parsed, folded in order through `step` (one command at a
 * time, so pipelined commands see each other's effects), and each transition's reply is concatenated
 * in command order. Silence for the idle timeout ends the session with no UPDATE. Whatever ends the
 * session (QUIT, timeout, client gone), a maildrop still held is released.
 */
export function pop3Session(service: Pop3Service): SessionFactory {
  return (lines$, connection) =>
    defer(() => {
      const context: SessionContext = {
        ...service,
        connection,
        timestamp: `<${connection.id}.${service.scheduler.now()}@${service.hostname}>`,
      };
      let current: SessionState = initialState;
      // `connect` multicasts the input and the replies inside one subscription: the idle timer
      // watches both without subscribing to the socket (or a test's cold input) a second time.
      const session$ = lines$.pipe(
        connect((input$) =>
          input$.pipe(
            mergeScan((previous: Transition, line) => step(previous.state, line, context), start, 1),
            tap((transition) => (current = transition.state)),
            takeWhile((transition) => transition.state.phase !== 'closed', true),
            concatMap((transition) => transition.reply.out$),
            connect((replies$) => {
              // The autologout timer restarts on every line in and every chunk out.
              const idle$ = merge(input$, replies$).pipe(
                startWith(undefined),
                switchMap(() => timer(context.idleTimeoutMs(), context.scheduler)),
                take(1),
                share(),
              );
              const autologout$ = idle$.pipe(
                tap(() =>
                  context.emit({ type: 'timeout', protocol: 'pop3', connection: connection.id, at: context.scheduler.now() }),
                ),
                concatMap(() => AUTOLOGOUT.out$),
                takeUntil(replies$.pipe(ignoreElements(), endWith(undefined))),
              );
              return merge(replies$.pipe(takeUntil(idle$)), autologout$);
            }),
          ),
        ),
      );
      return concat(of(`+OK POP3 server ready ${context.timestamp}\r\n`), session$).pipe(
        finalize(() => {
          if (current.phase === 'transaction') void current.maildrop.release();
        }),
      );
    });
}
