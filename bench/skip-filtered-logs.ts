// Diagnosis preload: makes winston skip a line below the logger's level before it formats it. Stock winston formats
// (JSON-serialises) every line and drops it only at the transport, so LOG_LEVEL=warn alone does not remove the
// request log's cost. With this, LOG_LEVEL=warn leaves only the pipeline's own cost. Never used in production.
import winston from 'winston';

type LogMethod = (this: winston.Logger, level: string, ...rest: unknown[]) => winston.Logger;
const prototype = winston.Logger.prototype as unknown as { log: LogMethod };
const original = prototype.log;

prototype.log = function log(this: winston.Logger, level: string, ...rest: unknown[]) {
  if (typeof level === 'string' && !this.isLevelEnabled(level)) return this;
  return original.call(this, level, ...rest);
};
