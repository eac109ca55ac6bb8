/**
 * The Temporal SDK's logger (Runtime.install({ logger })) writing through the process's pino
 * logger: the SDK's own lines, the Rust core's (forwarded), and the workflows' `log` calls arrive
 * here with their metadata (workflow id = case number, the request id from the workflow's
 * interceptor), and leave as JSON lines like every other.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { log } from '../lib/log';

const method = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export class SdkLogger implements Logger {
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const m: Record<string, unknown> = { component: 'temporal', ...meta };
    if (typeof m.workflowId === 'string' && m.caseNo === undefined) m.caseNo = m.workflowId;
    log()[method[level]](m, message);
  }

  trace(message: string, meta?: LogMetadata): void { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata): void { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata): void { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata): void { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata): void { this.log('ERROR', message, meta); }
}
