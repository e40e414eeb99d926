import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';

/** The first 8 hex characters of the key's SHA-256: tells which key sealed a value, without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretDecryptionError extends Error {
  constructor(readonly reason: string) {
    super(`Cannot decrypt a stored secret: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Encrypts client passwords at rest with AES-256-GCM.
 * A sealed value reads `v1.<key id>.<iv>.<auth tag>.<ciphertext>` (base64url parts), so the key can be
 * rotated: values sealed with an older key still open while that key is listed.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== 32) throw new Error('An encryption key must be 32 bytes long');
      this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(currentKey);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(this.currentKeyId)!, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [format, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || ciphertext === undefined) throw new SecretDecryptionError('unknown format');
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`sealed with key ${keyId}, which is not configured`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('the value was altered or the key is wrong');
    }
  }

  sealedWithCurrentKey(sealed: string): boolean {
    return sealed.split('.')[1] === this.currentKeyId;
  }

  /**
   * The same secret sealed with the current key, for APP_KEY rotation. A value already sealed with
   * the current key comes back unchanged, so running a rotation twice rewrites nothing.
   */
  reencrypt(sealed: string): string {
    const plaintext = this.open(sealed);
    return this.sealedWithCurrentKey(sealed) ? sealed : this.seal(plaintext);
  }
}
