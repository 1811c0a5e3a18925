import { from, ReplaySubject, type Observer, type SubjectLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { latestSubject } from '../../src/metrics/latest-subject.js';

/** What a subscriber sees, as notifications. */
function watch<T>(subject: SubjectLike<T>): string[] {
  const seen: string[] = [];
  const observer: Observer<T> = {
    next: (value) => seen.push(`next ${String(value)}`),
    error: (error) => seen.push(`error ${String(error)}`),
    complete: () => seen.push('complete'),
  };
  subject.subscribe(observer);
  return seen;
}

/** One script of calls, run against a subject; what each of three watchers (early, middle, late) saw. */
function script(subject: SubjectLike<number>, end: 'complete' | 'error') {
  const early = watch(subject);
  subject.next(1);
  subject.next(2);
  const middle = watch(subject);
  subject.next(3);
  if (end === 'complete') subject.complete();
  else subject.error('boom');
  subject.next(4);
  const late = watch(subject);
  return { early, middle, late };
}

describe('latestSubject', () => {
  it('gives each subscriber the latest value first, then the later ones, as ReplaySubject(1) does', () => {
    for (const end of ['complete', 'error'] as const) {
      expect(script(latestSubject<number>(), end)).toEqual(script(new ReplaySubject<number>(1), end));
    }
    expect(script(latestSubject<number>(), 'complete')).toEqual({
      early: ['next 1', 'next 2', 'next 3', 'complete'],
      middle: ['next 2', 'next 3', 'complete'],
      late: ['next 3', 'complete'],
    });
  });

  it('gives nothing before the first value', () => {
    const subject = latestSubject<number>();
    expect(watch(subject)).toEqual([]);
  });

  it('works as a connector: a late watcher of a finished source sees its last value', () => {
    const subject = latestSubject<number>();
    from([1, 2, 3]).subscribe(subject);
    expect(watch(subject)).toEqual(['next 3', 'complete']);
  });
});
