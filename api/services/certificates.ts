/** Certificates this platform issued (the read model the certificate step projects). */
import type { CertificateDocument } from '../../adapters/certificates';
import type { Db } from '../../lib/db';

/** The document of an issued certificate by its number, as it was sealed. */
export async function issuedCertificate(db: Db, number: string): Promise<CertificateDocument | undefined> {
  const row = await db('certificates').where({ number }).first<{ fields: CertificateDocument } | undefined>('fields');
  return row?.fields;
}
