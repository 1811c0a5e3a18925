import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { watched } from '../../src/events/watched.js';

describe('watched', () => {
  it('says true from the first subscriber to the stream until the last has left, and passes the values on', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable }) => {
      const source$ = hot('--a--b--c--d--e--|');
      const { stream$, watched$ } = watched(source$);
      expectObservable(stream$, '----^-----!').toBe('-----b--c--');
      expectObservable(stream$, '-------^-------!').toBe('--------c--d--e');
      expectObservable(watched$).toBe('f---t----------f', { f: false, t: true });
    });
  });
});
