/**
 * Long synchronous work (many small file-system calls, encoding a large listing) runs in slices of at most
 * this long; between slices other sessions get the event loop.
 */
export const SLICE_MS = 4;

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
