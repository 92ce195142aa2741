// listen -F TEMPLATE: the template language (mosquitto_sub -F style), without a process.
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/cli/template.js';

const time = new Date('2026-11-27T14:00:00.123Z');
const message = { room: 'ops', sender: 'alice', text: 'disk 91% full' };

function format(template: string, m: { room: string; text: string; sender?: string } = message) {
  const compiled = compileTemplate(template);
  if ('problem' in compiled) throw new Error(compiled.problem);
  return compiled.format(m, time);
}

describe('compileTemplate', () => {
  it.each([
    ['%r %u %t', 'ops alice disk 91% full'],
    ['%T', '2026-11-27T14:00:00.123Z'],
    ['%U', '1795788000.123'],
    ['%l', '13'],
    ['100%% %r', '100% ops'],
    ['%r\\t%u\\n%t', 'ops\talice\ndisk 91% full'],
    ['a\\\\b \\e[1m', 'a\\b \u001b[1m'],
    ['plain text only', 'plain text only'],
  ])('%j', (template, expected) => {
    expect(format(template)).toBe(expected);
  });

  it('%j is the message as -o json prints it', () => {
    expect(JSON.parse(format('%j'))).toEqual({ ...message, time: time.toISOString() });
  });

  it('%u is empty when the server does not say who sent it', () => {
    expect(format('<%u> %t', { room: 'ops', text: 'hi' })).toBe('<> hi');
  });

  it('%l counts UTF-8 bytes', () => {
    expect(format('%l', { room: 'r', text: 'é€' })).toBe('5');
  });

  it.each([
    ['%x', /unknown %x at column 1/],
    ['abc %', /lone % at column 5; write %% for a literal %/],
    ['\\q', /unknown escape \\q at column 1/],
    ['x\\', /lone \\ at column 2/],
  ])('%j is refused, saying what the template may hold', (template, problem) => {
    const compiled = compileTemplate(template);
    expect(compiled).toHaveProperty('problem');
    const text = (compiled as { problem: string }).problem;
    expect(text).toMatch(problem);
    expect(text).toMatch(/%r room, %u sender.*%% a literal %/);
    expect(text).not.toContain('\n');
  });
});
