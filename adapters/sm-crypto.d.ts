// The part of sm-crypto (0.5.x, no bundled types) that the seal code uses.
declare module 'sm-crypto' {
  interface SignOptions {
    der?: boolean;
    /** Hash with SM3 over Z (GB/T 32918) first; true by default. */
    hash?: boolean;
    publicKey?: string;
    /** The signer's distinguishing identifier; '1234567812345678' by default. */
    userId?: string;
  }
  export const sm2: {
    generateKeyPairHex(): { publicKey: string; privateKey: string };
    doSignature(msg: string | Uint8Array | number[], privateKey: string, options?: SignOptions): string;
    doVerifySignature(msg: string | Uint8Array | number[], signHex: string, publicKey: string, options?: Omit<SignOptions, 'publicKey'>): boolean;
    verifyPublicKey(publicKey: string): boolean;
  };
  export function sm3(msg: string | Uint8Array | number[]): string;
}
