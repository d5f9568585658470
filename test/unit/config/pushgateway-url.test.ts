import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';

describe('PUSHGATEWAY_URL', () => {
  it('is optional (no push) and kept as given', () => {
    expect(loadConfig({}).pushgatewayUrl).toBeNull();
    expect(loadConfig({ PUSHGATEWAY_URL: '' }).pushgatewayUrl).toBeNull();
    expect(loadConfig({ PUSHGATEWAY_URL: 'http://user:pass@127.0.0.1:9091' }).pushgatewayUrl).toBe('http://user:pass@127.0.0.1:9091');
  });

  it('is not refused by the configuration: a URL the push cannot use is a warning at push time, never a failed run', () => {
    expect(loadConfig({ PUSHGATEWAY_URL: 'not a url' }).pushgatewayUrl).toBe('not a url');
  });
});
