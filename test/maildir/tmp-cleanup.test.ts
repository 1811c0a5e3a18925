import { describe, expect, it } from 'vitest';
import { TMP_SCAN_INTERVAL_MS, TmpScanSchedule } from '../../src/maildir/tmp-cleanup.js';

describe('TmpScanSchedule', () => {
  it("is due at a Maildir's first login, then once the interval has passed, for each Maildir on its own", () => {
    const schedule = new TmpScanSchedule();
    expect(schedule.due('/m/a', 1_000)).toBe(true);
    expect(schedule.due('/m/a', 2_000)).toBe(false);
    expect(schedule.due('/m/b', 2_000)).toBe(true);
    expect(schedule.due('/m/a', 1_000 + TMP_SCAN_INTERVAL_MS - 1)).toBe(false);
    expect(schedule.due('/m/a', 1_000 + TMP_SCAN_INTERVAL_MS)).toBe(true);
    expect(schedule.due('/m/a', 1_000 + TMP_SCAN_INTERVAL_MS + 1)).toBe(false);
    expect(schedule.due('/m/b', 1_000 + TMP_SCAN_INTERVAL_MS + 1)).toBe(false);
  });
});
