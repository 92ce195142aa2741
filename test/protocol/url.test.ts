import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidUrlError } from '../../src/errors.js';
import { DEFAULT_URL, formatServerUrl, parseServerUrl } from '../../src/protocol/index.js';

describe('parseServerUrl: accepted forms', () => {
  it.each([
    ['mpcrp://chat.example:9000', 'chat.example', 9000, false, 'mpcrp://chat.example:9000'],
    ['mpcrps://chat.example:9443', 'chat.example', 9443, true, 'mpcrps://chat.example:9443'],
    ['mpcrp://chat.example', 'chat.example', 8890, false, 'mpcrp://chat.example:8890'],
    ['mpcrps://chat.example', 'chat.example', 8890, true, 'mpcrps://chat.example:8890'],
    ['127.0.0.1:9000', '127.0.0.1', 9000, false, 'mpcrp://127.0.0.1:9000'],
    ['localhost', 'localhost', 8890, false, 'mpcrp://localhost:8890'],
    ['[::1]:9000', '::1', 9000, false, 'mpcrp://[::1]:9000'],
    ['mpcrp://[::1]:9000', '::1', 9000, false, 'mpcrp://[::1]:9000'],
    ['mpcrps://[2001:db8::1]', '2001:db8::1', 8890, true, 'mpcrps://[2001:db8::1]:8890'],
    ['MPCRP://h:1', 'h', 1, false, 'mpcrp://h:1'],
    ['mpcrp://h:65535/', 'h', 65535, false, 'mpcrp://h:65535'],
    ['  mpcrp://h:1  ', 'h', 1, false, 'mpcrp://h:1'],
  ])('%s', (input, host, port, tls, url) => {
    expect(parseServerUrl(input)).toEqual({ host, port, tls, url });
  });

  it('DEFAULT_URL is plain MPCRP on localhost port 8890 and parses', () => {
    expect(DEFAULT_URL).toBe('mpcrp://127.0.0.1:8890');
    expect(parseServerUrl(DEFAULT_URL)).toEqual({
      host: '127.0.0.1',
      port: 8890,
      tls: false,
      url: DEFAULT_URL,
    });
  });

  it('formatServerUrl brackets IPv6 hosts and round-trips through parse', () => {
    expect(formatServerUrl('::1', 9000)).toBe('mpcrp://[::1]:9000');
    expect(formatServerUrl('h', 1, true)).toBe('mpcrps://h:1');
    expect(parseServerUrl(formatServerUrl('::1', 9000, true)).host).toBe('::1');
  });
});

describe('parseServerUrl: rejected forms', () => {
  it.each([
    ['http://h:80', /unknown scheme 'http'/],
    ['https://h', /unknown scheme 'https'/],
    ['mpcrp://h:9000/room', /path/],
    ['mpcrp://h:9000?x=1', /query/],
    ['mpcrp://h:9000#frag', /fragment/],
    ['', /empty/],
    ['   ', /empty/],
    ['mpcrp://', /no host/],
    ['mpcrp://h:99999', /port 99999 is out of range \(1 to 65535\)/],
    ['mpcrp://h:abc', /not a URL/],
    ['h:-1', /not a URL/],
    ['mpcrp://user:pw@h:1', /credentials/],
    ['mpcrp://h:0', /port 0/],
  ])('%j', (input, reason) => {
    let caught: unknown;
    try {
      parseServerUrl(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidUrlError);
    const err = caught as InvalidUrlError;
    expect(err.code).toBe(ErrorCode.InvalidUrl);
    expect(err.url).toBe(input);
    expect(err.message).toMatch(reason);
    // The message tells the user what a good URL looks like.
    expect(err.message).toContain('mpcrp://host:port');
  });
});
