import { randomBytes } from 'node:crypto';
import { keyIdOf, SecretBox, SecretDecryptionError } from '../../src/security/secret-box';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and never stores the plain text', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('contraseña-ñ-🔑');
    expect(sealed).not.toContain('contraseña');
    expect(sealed.startsWith(`v1.${keyIdOf(key)}.`)).toBe(true);
    expect(box.open(sealed)).toBe('contraseña-ñ-🔑');
  });

  it('seals the same text differently each time', () => {
    const box = new SecretBox(key);
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a value that was altered', () => {
    const box = new SecretBox(key);
    const parts = box.seal('secret').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(SecretDecryptionError);
  });

  it('opens values sealed with a previous key after rotation, and says which key is missing otherwise', () => {
    const oldBox = new SecretBox(key);
    const sealed = oldBox.seal('secret');
    const newKey = randomBytes(32);
    const rotated = new SecretBox(newKey, [key]);
    expect(rotated.open(sealed)).toBe('secret');
    expect(rotated.sealedWithCurrentKey(sealed)).toBe(false);
    expect(rotated.sealedWithCurrentKey(rotated.seal('x'))).toBe(true);
    expect(() => new SecretBox(newKey).open(sealed)).toThrow(`sealed with key ${keyIdOf(key)}, which is not configured`);
  });

  it('re-encrypts a value sealed with a previous key with the current one, and leaves a current value as it is', () => {
    const sealed = new SecretBox(key).seal('contraseña');
    const newKey = randomBytes(32);
    const rotated = new SecretBox(newKey, [key]);

    const reencrypted = rotated.reencrypt(sealed);
    expect(reencrypted.startsWith(`v1.${keyIdOf(newKey)}.`)).toBe(true);
    expect(new SecretBox(newKey).open(reencrypted)).toBe('contraseña');
    expect(rotated.reencrypt(reencrypted)).toBe(reencrypted);
  });

  it('refuses to re-encrypt a value it cannot open', () => {
    const sealed = new SecretBox(randomBytes(32)).seal('secret');
    expect(() => new SecretBox(key).reencrypt(sealed)).toThrow(SecretDecryptionError);
    expect(() => new SecretBox(key).reencrypt('not sealed')).toThrow(SecretDecryptionError);
  });
});
