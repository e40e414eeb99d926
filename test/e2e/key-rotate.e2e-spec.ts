import { decodeAppKey, generateAppKey } from '../../src/security/app-key';
import { keyIdOf, SecretBox } from '../../src/security/secret-box';
import { runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { createTestApp, TEST_APP_KEY, TestApp } from '../support/test-app';

/** APP_KEY rotation: new key in APP_KEY, old one in APP_PREVIOUS_KEYS, `key:rotate`, then drop the old one. */
describe('key:rotate', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('re-encrypts every stored password with the new key, once, and names what it cannot open', async () => {
    const bodies = [clientBody(), clientBody()];
    const ids: number[] = [];
    for (const body of bodies) ids.push((await api.http.post('/clients').send(body).expect(201)).body.id);
    const keyIdIn = (sealed: unknown) => String(sealed).split('.')[1];
    expect(keyIdIn((await api.row(ids[0]))!.password)).toBe(keyIdOf(decodeAppKey(TEST_APP_KEY)));

    const newKey = generateAppKey();
    const rotated = await runCli(['key:rotate'], { ...api.env, APP_KEY: newKey, APP_PREVIOUS_KEYS: TEST_APP_KEY });
    expect(rotated).toMatchObject({ code: 0, stdout: expect.stringContaining('Re-encrypted the passwords of 2 of 2 record(s)') });

    const withNewKeyOnly = new SecretBox(decodeAppKey(newKey));
    for (const [index, id] of ids.entries()) {
      const row = (await api.row(id))!;
      expect(keyIdIn(row.password)).toBe(keyIdOf(decodeAppKey(newKey)));
      expect(withNewKeyOnly.open(String(row.password))).toBe(bodies[index].password);
      expect(withNewKeyOnly.open(String(row.password_app))).toBe(bodies[index].password_app);
    }

    const again = await runCli(['key:rotate'], { ...api.env, APP_KEY: newKey, APP_PREVIOUS_KEYS: TEST_APP_KEY });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('Re-encrypted the passwords of 0 of 2 record(s)') });

    const lost = await runCli(['key:rotate'], { ...api.env, APP_KEY: generateAppKey() });
    expect(lost).toExitWith(1);
    expect(lost.stderr).toContain(
      `2 record(s) are sealed with a key that is neither APP_KEY nor in APP_PREVIOUS_KEYS: ids ${ids.join(', ')}`,
    );
  });
});
