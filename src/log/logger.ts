import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from '../config/config';

export type { Logger };

/**
 * JSON logs. Only ids and outcomes are logged; message text, tokens and keys never are,
 * and the redact list is a second line of defence should one slip into a log object.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'yuebao' },
      redact: {
        paths: ['content', 'text', 'token', 'accessToken', 'access_token', 'secret', '*.content', '*.text', '*.token', '*.secret'],
        censor: '[redacted]',
      },
    },
    // Synchronous stdout: log lines keep their order and none is lost when the process exits.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
