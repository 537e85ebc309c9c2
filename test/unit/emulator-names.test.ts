/** The emulator's name rule (emulator/names.ts), which every dialect calls. */
import { describe, expect, it } from "vitest";
import { controlCharacter, nameProblem, siblingName } from "../../emulator/names";

describe("nameProblem", () => {
  it.each([
    ["a plain name", "Acme Europe", undefined],
    ["inner double spaces", "Acme  Europe", undefined],
    ["an emoji (a surrogate pair)", "Acme \u{1f680}", undefined],
    ["a decomposed accent", "Cafe\u0301", undefined],
    ["right-to-left text", "\u05e9\u05dc\u05d5\u05dd", undefined],
    ["a number", 42, "is required and must be a string"],
    ["nothing", undefined, "is required and must be a string"],
    ["the empty string", "", "must not be empty"],
    ["only spaces", "   ", "must not be only whitespace"],
    ["only invisible characters", "\u200b\u2060\ufeff", "must not be only whitespace"],
    ["a NUL", "a\u0000b", "must not contain control characters (U+0000 at position 1)"],
    ["an escape", "\u001b[2J", "must not contain control characters (U+001B at position 0)"],
    ["DEL", "a\u007f", "must not contain control characters (U+007F at position 1)"],
    ["a C1 control", "a\u0085", "must not contain control characters (U+0085 at position 1)"],
    ["a right-to-left override", "a\u202eb", "must not contain control characters (U+202E at position 1)"],
    ["a line break", "a\nb", "must not contain control characters (U+000A at position 1)"],
    ["a leading space", " a", "must not begin or end with whitespace"],
    ["a trailing em space", "a\u2003", "must not begin or end with whitespace"],
    ["a trailing zero-width space", "a\u200b", "must not begin or end with whitespace"],
    ["a lone surrogate (a YAML seed can hold one)", "Team \ud800", "must not contain a lone UTF-16 surrogate"],
  ])("for %s: %s", (_what, name, expected) => {
    expect(nameProblem(name)).toBe(expected);
  });

  it("counts code points against a dialect's maximum, not UTF-16 units", () => {
    expect(nameProblem("\u{1f680}".repeat(3), { maxLength: 3 })).toBeUndefined();
    expect(nameProblem("abcd", { maxLength: 3 })).toBe("must be at most 3 characters");
  });
});

describe("controlCharacter", () => {
  it.each([
    ["plain text", "ada@acme.test", undefined],
    ["an escape", "ada\u001b@acme.test", "U+001B"],
    ["a C1 control", "\u009b", "U+009B"],
  ])("for %s: %s", (_what, text, expected) => {
    expect(controlCharacter(text)).toBe(expected);
  });
});

describe("siblingName", () => {
  it.each([
    ["composed and decomposed accents are one name", "Caf\u00e9", "Cafe\u0301", { caseInsensitive: false }, true],
    ["case counts where the dialect says so", "Acme", "ACME", { caseInsensitive: false }, false],
    ["case does not count where the dialect says so", "Acme", "ACME", { caseInsensitive: true }, true],
    ["compatibility forms stay different (NFC, not NFKC)", "\ufb01le", "file", { caseInsensitive: true }, false],
  ])("%s", (_what, a, b, options, same) => {
    expect(siblingName(a, options) === siblingName(b, options)).toBe(same);
  });
});
