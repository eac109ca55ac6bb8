/**
 * Keys derived from AUDIT_KEY, one per use, so the key given to database connections (for the
 * chain's HMAC) is not the key that signs the checkpoints kept outside the database.
 */
import crypto from 'node:crypto';
import { devDefaults } from './config';

function derive(auditKey: string, use: string): Buffer {
  return crypto.createHmac('sha256', auditKey).update(`onewindow/audit/${use}`).digest();
}

/** The key of the audit rows' HMAC chain (version 2), as the hex the database connection is given. */
export function auditChainKeyHex(auditKey: string = devDefaults.auditKey): string {
  return derive(auditKey, 'chain-v2').toString('hex');
}

/** The key that signs audit checkpoints. */
export function auditCheckpointKey(auditKey: string = devDefaults.auditKey): Buffer {
  return derive(auditKey, 'checkpoint-v1');
}
