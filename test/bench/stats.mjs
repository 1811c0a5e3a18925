// Small numeric helpers for reports.

/** Nearest-rank percentile of `values` (undefined when empty). */
export function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** `value` with `digits` decimals, or "-" when missing. */
export function fmt(value, digits = 1) {
  return value === undefined || value === null || Number.isNaN(value) ? '-' : Number(value).toFixed(digits);
}
