import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand, splitArgs } from '../../src/bot/parse-command.js';

describe('parseCommand', () => {
  it('reads name, args and rest', () => {
    expect(parseCommand('!roll 2d6  extra', '!')).toEqual({
      name: 'roll',
      args: ['2d6', 'extra'],
      rest: '2d6  extra',
    });
    expect(parseCommand('!help', '!')).toEqual({ name: 'help', args: [], rest: '' });
  });

  it('lower-cases the name, keeps the arguments as typed', () => {
    expect(parseCommand('!RoLL D20', '!')).toMatchObject({ name: 'roll', args: ['D20'] });
  });

  it('honours any prefix, including longer ones', () => {
    expect(parseCommand('.roll 1d6', '.')?.name).toBe('roll');
    expect(parseCommand('bot: roll', 'bot:')).toBeUndefined();
    expect(parseCommand('bot:roll 1', 'bot:')).toMatchObject({ name: 'roll', args: ['1'] });
    expect(parseCommand('!roll', '.')).toBeUndefined();
  });

  it('is not a command without a name right after the prefix', () => {
    expect(parseCommand('! roll', '!')).toBeUndefined();
    expect(parseCommand('!', '!')).toBeUndefined();
    expect(parseCommand('!!!', '!')).toBeUndefined();
    expect(parseCommand('hello !roll', '!')).toBeUndefined();
  });
});

describe('splitArgs', () => {
  it('groups quoted words and drops the quotes', () => {
    expect(splitArgs(`10m "stand up" 'and stretch'`)).toEqual(['10m', 'stand up', 'and stretch']);
    expect(splitArgs('"" x')).toEqual(['', 'x']);
  });

  it('escapes inside double quotes, keeps apostrophes inside words', () => {
    expect(splitArgs(String.raw`"say \"hi\"" don't`)).toEqual(['say "hi"', "don't"]);
  });

  it('lets an unclosed quote run to the end', () => {
    expect(splitArgs('a "b c')).toEqual(['a', 'b c']);
  });

  it('splits plain words exactly like white space does', () => {
    const word = fc.stringMatching(/^[a-z0-9!?.,-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.constantFrom(' ', '  ', '\t'),
        (words, gap) => {
          expect(splitArgs(words.join(gap))).toEqual(words);
        },
      ),
    );
  });
});
