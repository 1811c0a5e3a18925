/** The config cannot be used: unreadable, not JSON, or invalid. The message names the file or key path. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
