/**
 * Public certificate verification (验证真伪): anyone holding an electronic certificate can ask
 * whether it is genuine, unchanged and valid. The seal is checked against the issuing
 * department's published SM2 key, and the e-certificate platform says whether it was revoked.
 */
import { Router } from 'express';
import type { CertificateDocument, CertificatePlatform } from '../../adapters/certificates';
import type { Db } from '../../lib/db';
import { AppError, badRequest, notFound } from '../../lib/errors';
import { issuedCertificate } from '../services/certificates';

function unavailable(): AppError {
  return new AppError(503, 'verification-unavailable', 'Verification unavailable', 'the e-certificate platform is not configured (CERTIFICATES_URL)');
}

function looksLikeDocument(b: unknown): b is CertificateDocument {
  const d = b as Partial<CertificateDocument> | null;
  return !!d && typeof d === 'object' && typeof d.number === 'string' && d.number.length >= 1 && d.number.length <= 200 && !!d.seal && typeof d.seal === 'object';
}

export function certificateRoutes(db: Db, certificates: CertificatePlatform | undefined): Router {
  const r = Router();

  /** Verifies a certificate the platform issued, by its number. */
  r.get('/certificates/:number/verify', async (req, res) => {
    if (!certificates) throw unavailable();
    const issued = await issuedCertificate(db, req.params.number);
    if (!issued) throw notFound(`certificate ${req.params.number}`);
    res.json(await certificates.verify(issued));
  });

  /** Verifies a certificate document as presented by its holder: any changed byte shows. */
  r.post('/certificates/verify', async (req, res) => {
    if (!certificates) throw unavailable();
    if (!looksLikeDocument(req.body)) throw badRequest('the body must be an electronic certificate document with its number (1 to 200 characters) and seal');
    res.json(await certificates.verify(req.body));
  });

  return r;
}
