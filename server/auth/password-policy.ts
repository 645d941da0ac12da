import type { FieldMessage } from '../core/errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/**
 * Words that make a password guessable however they are decorated with digits
 * or symbols ("Password2024!", "passaparola123"): common English and Italian
 * choices plus the product's and the demo company's names.
 */
const COMMON_WORDS = new Set([
  'password',
  'passw0rd',
  'passwort',
  'parola',
  'parolachiave',
  'parolasegreta',
  'passaparola',
  'aurora',
  'qwerty',
  'qwertyuiop',
  'qwertz',
  'azerty',
  'asdfgh',
  'asdfghjkl',
  'zxcvbn',
  'zxcvbnm',
  'abcdef',
  'abcdefgh',
  'abc',
  'iloveyou',
  'ti amo',
  'tiamo',
  'amore',
  'amoremio',
  'ciao',
  'ciaociao',
  'benvenuto',
  'benvenuta',
  'welcome',
  'letmein',
  'changeme',
  'cambiami',
  'admin',
  'administrator',
  'amministratore',
  'root',
  'user',
  'utente',
  'operatore',
  'operator',
  'helpdesk',
  'support',
  'supporto',
  'assistenza',
  'callcenter',
  'contactcenter',
  'customer',
  'cliente',
  'secret',
  'segreto',
  'sunshine',
  'princess',
  'dragon',
  'monkey',
  'football',
  'calcio',
  'juventus',
  'forzajuve',
  'forzainter',
  'forzamilan',
  'forzaroma',
  'forzanapoli',
  'inter',
  'milan',
  'napoli',
  'roma',
  'lazio',
  'italia',
  'italy',
  'master',
  'shadow',
  'superman',
  'batman',
  'trustno1',
  'baseball',
  'starwars',
  'whatever',
  'freedom',
  'internet',
  'computer',
  'samsung',
  'google',
  'summer',
  'winter',
  'autumn',
  'spring',
  'estate',
  'inverno',
  'primavera',
  'autunno',
  'gennaio',
  'dicembre',
  'mamma',
  'papa',
  'famiglia',
  'casa',
  'lavoro',
  'ufficio',
  'office',
  'company',
  'azienda',
  'test',
  'prova',
  'demo',
  'temp',
  'temporanea',
  'default',
  'guest',
  'ospite',
  'login',
  'accesso',
  'entra',
  'open',
  'apri',
]);

const COMMON_WHOLE = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '111111111111',
  '000000000000',
  '123123123123',
  '987654321098',
  '1q2w3e4r5t6y',
  'qwerty123456',
  'qwertyuiop12',
  'password1234',
  'passwordpassword',
  'iloveyou1234',
  'abcdefghijkl',
  'abc123abc123',
  'aaaaaaaaaaaa',
  'asdfghjklasd',
  'zaq12wsxcde3',
]);

function normalise(password: string): string {
  return password.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
}

/** True for passwords found in (or made from) the list of common choices. */
export function isCommonPassword(password: string): boolean {
  const lower = normalise(password);
  if (COMMON_WHOLE.has(lower)) return true;
  if (/^(.)\1+$/.test(lower)) return true;
  if (/^(0123456789|1234567890|9876543210)+\d*$/.test(lower)) return true;
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (COMMON_WORDS.has(core)) return true;
  // The same common word repeated: "passwordpassword", "ciaociaociao".
  for (const word of COMMON_WORDS) {
    if (word.length >= 3 && core.length > word.length && core === word.repeat(core.length / word.length))
      return true;
  }
  return false;
}

/**
 * The password policy: at least 12 characters (a passphrase of a few words
 * qualifies), not a common password, not the person's email or name.
 */
export function checkPassword(
  password: string,
  person: { email?: string; displayName?: string } = {},
): FieldMessage | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return { key: 'validation.passwordTooShort', params: { min: MIN_PASSWORD_LENGTH } };
  if (password.length > MAX_PASSWORD_LENGTH)
    return { key: 'validation.tooLong', params: { max: MAX_PASSWORD_LENGTH } };
  if (isCommonPassword(password)) return { key: 'validation.passwordCommon' };
  const lower = normalise(password).replace(/[^a-z0-9]/g, '');
  const local = normalise(person.email?.split('@')[0] ?? '').replace(/[^a-z0-9]/g, '');
  const name = normalise(person.displayName ?? '').replace(/[^a-z0-9]/g, '');
  if ((local.length >= 4 && lower.includes(local)) || (name.length >= 4 && lower.includes(name))) {
    return { key: 'validation.passwordPersonal' };
  }
  return null;
}
