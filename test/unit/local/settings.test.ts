import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLocalSettings, SettingsError } from '../../../src/local/settings.ts';

describe('npm start settings', () => {
  it('defaults: port 3000, no seeded keys, state in memory', () => {
    const settings = readLocalSettings({});
    assert.equal(settings.PODPDF_PORT, 3000);
    assert.deepEqual(settings.PODPDF_DEV_API_KEYS, []);
    assert.equal(settings.PODPDF_DATA_DIR, undefined);
  });

  it('reads ports 0 to 65535, key lists, and treats an empty variable as unset', () => {
    assert.equal(readLocalSettings({ PODPDF_PORT: '0' }).PODPDF_PORT, 0);
    assert.equal(readLocalSettings({ PODPDF_PORT: '65535' }).PODPDF_PORT, 65_535);
    assert.equal(readLocalSettings({ PODPDF_PORT: '' }).PODPDF_PORT, 3000);
    assert.deepEqual(readLocalSettings({ PODPDF_DEV_API_KEYS: ' a, b ,,' }).PODPDF_DEV_API_KEYS, ['a', 'b']);
  });

  it('names each bad variable on a line of its own, values shown except for keys', () => {
    const error = (() => {
      try {
        readLocalSettings({
          PODPDF_PORT: '70000',
          PODPDF_LOG_LEVEL: 'loud',
          PODPDF_PREWARM_BROWSER: '1',
          PODPDF_DEV_API_KEYS: 'has space',
        });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.ok(error instanceof SettingsError);
    const lines = error.message.split('\n');
    assert.equal(lines.length, 4, error.message);
    assert.match(error.message, /^PODPDF_PORT: must be a port number from 0 to 65535.* \(got "70000"\)$/m);
    assert.match(error.message, /^PODPDF_LOG_LEVEL: must be one of .* \(got "loud"\)$/m);
    assert.match(error.message, /^PODPDF_PREWARM_BROWSER: must be "true" or "false" \(got "1"\)$/m);
    assert.match(error.message, /^PODPDF_DEV_API_KEYS: keys are printable ASCII without spaces$/m);
    assert.doesNotMatch(error.message, /has space/);
  });

  it('takes running emulators as a pair of http URLs', () => {
    const both = readLocalSettings({
      PODPDF_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      PODPDF_AWS_ENDPOINT: 'http://127.0.0.1:9000',
    });
    assert.equal(both.PODPDF_AWS_ENDPOINT, 'http://127.0.0.1:9000');
    assert.throws(
      () => readLocalSettings({ PODPDF_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }),
      (err) => err instanceof SettingsError && /go together/.test(err.message),
    );
    assert.throws(
      () =>
        readLocalSettings({ PODPDF_DYNAMODB_ENDPOINT: 'ftp://x', PODPDF_AWS_ENDPOINT: 'http://127.0.0.1:1' }),
      (err) =>
        err instanceof SettingsError &&
        /^PODPDF_DYNAMODB_ENDPOINT: must be an http:\/\/ URL/.test(err.message),
    );
  });
});
