// Refuses secrets that were never meant to be used: the placeholders of
// .env.example and of the development Kubernetes overlay, short values, and
// values with little entropy. Only a heuristic (it cannot know a dictionary
// password), but it catches a deployment started with the examples as they are.

export interface SecretRule {
  minLength: number;
  /** Least estimated entropy, in bits (see estimatedBits). */
  minBits: number;
  /** How to make a good one, for the message. */
  hint: string;
}

// Words that mark a placeholder or a made-up value. Compared with the value in
// lower case without separators ("Change_Me" is "changeme"); five letters or
// more, so that a random value contains one by chance about once in a million.
const PLACEHOLDER_WORDS = [
  'changeme',
  'replaceme',
  'placeholder',
  'example',
  'secret',
  'password',
  'passw0rd',
  'default',
  'development',
  'admin',
  'qwerty',
  'letmein',
];

/**
 * Character-frequency (Shannon) entropy of the value times its length, counting a
 * value that repeats itself ("abcabcabc") as its first period only. A random hex
 * string of 64 characters scores about 220 bits, base64 of 32 random bytes about
 * 190; English words score far less per character than their length suggests.
 */
export function estimatedBits(value: string): number {
  const chars = [...value];
  const period = smallestPeriod(chars);
  const unit = chars.slice(0, period);
  const counts = new Map<string, number>();
  for (const c of unit) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / unit.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * unit.length;
}

function smallestPeriod(chars: string[]): number {
  for (let p = 1; p <= chars.length / 2; p++) {
    if (chars.every((c, i) => i < p || c === chars[i - p])) return p;
  }
  return chars.length;
}

/** Why `value` is not fit to be used as `name`, or undefined when it is. */
export function weakSecretProblem(name: string, value: string, rule: SecretRule): string | undefined {
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = PLACEHOLDER_WORDS.find((w) => folded.includes(w));
  if (word) return `${name} looks like a placeholder (it contains "${word}"): ${rule.hint}`;
  if ([...value].length < rule.minLength) {
    return `${name} is too short (at least ${rule.minLength} characters): ${rule.hint}`;
  }
  const bits = estimatedBits(value);
  if (bits < rule.minBits) {
    return `${name} has too little entropy (about ${Math.floor(bits)} bits by character frequency, at least ${rule.minBits} needed): ${rule.hint}`;
  }
  return undefined;
}

export const JWT_SECRET_RULE: SecretRule = {
  minLength: 32,
  minBits: 128,
  hint: 'use a random value, e.g. `openssl rand -hex 32`',
};

export const ADMIN_PASSWORD_RULE: SecretRule = {
  minLength: 12,
  // Low on purpose: a frequency estimate of 12 characters cannot exceed 43 bits,
  // so this only refuses repetitions and values of very few different characters.
  minBits: 24,
  hint: 'use a long random password, e.g. `openssl rand -base64 18`',
};
